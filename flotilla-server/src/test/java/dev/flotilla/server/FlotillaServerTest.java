package dev.flotilla.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.core.testing.FakeClientApp;
import dev.flotilla.core.testing.TestModels;
import dev.flotilla.workflow.RunSummary;
import dev.flotilla.workflow.SyncSettings;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class FlotillaServerTest {
  private static final SyncSettings ONE_ROUND = SyncSettings.builder().rounds(1).minClients(1).minFitClients(1)
      .roundTimeout(Duration.ofSeconds(20)).evaluateInitial(false).build();

  @Test
  void tinyChunksCarryWeightsBitForBit() throws Exception {
    ModelWeights initial = TestModels.random(List.of(new TensorSpec("a", new int[] {5, 7}),
        new TensorSpec("b", new int[] {1}), new TensorSpec("c", new int[] {0}), new TensorSpec("d", new int[] {13})),
        3);
    FakeClientApp app = FakeClientApp.adding(1, 4);
    try (TestFleet fleet = TestFleet.start(s -> s.chunkBytes(7))) {
      fleet.client(TestFleet.settings(fleet.target(), "tiny").chunkBytes(7).build(), app);

      RunSummary summary = fleet.run(new FedAvg(), initial, ONE_ROUND);

      assertThat(app.trainCalls().get(0).model().contentEquals(initial)).isTrue();
      assertThat(summary.finalModel().contentEquals(TestModels.plus(initial, 1))).isTrue();
    }
  }

  @Test
  void modelLargerThanGrpcsMessageLimitCrosses() throws Exception {
    ModelWeights initial = TestModels.random(List.of(new TensorSpec("big", new int[] {2_000_000}),
        new TensorSpec("small", new int[] {3})), 5); // 8 MB, twice gRPC's default message limit
    try (TestFleet fleet = TestFleet.start(s -> s)) {
      fleet.client("big", FakeClientApp.adding(0.5f, 1));

      RunSummary summary = fleet.run(new FedAvg(), initial, ONE_ROUND);

      assertThat(summary.finalModel().contentEquals(TestModels.plus(initial, 0.5f))).isTrue();
      assertThat(summary.records().get(0).bytesUp()).isEqualTo(initial.byteSize());
      assertThat(summary.records().get(0).bytesDown()).isEqualTo(initial.byteSize());
    }
  }

  @Test
  void clientStartedBeforeTheServerConnectsOnceItIsUp() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    try (TestFleet fleet = TestFleet.withoutServer()) {
      fleet.client(TestFleet.settings("127.0.0.1:" + port, "early").build(), FakeClientApp.adding(1, 1));
      Thread.sleep(300); // a few failed attempts

      fleet.startServer(ServerSettings.builder().host("127.0.0.1").port(port));
      RunSummary summary = fleet.run(new FedAvg(), TestModels.small(), ONE_ROUND);

      assertThat(summary.records().get(0).clientsOk()).isEqualTo(1);
      fleet.awaitClientsFinished(Duration.ofSeconds(10));
    }
  }

  @Test
  void clientReconnectsWhenTheServerGoesAwayAndComesBack() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    try (TestFleet fleet = TestFleet.withoutServer()) {
      FlotillaServer first = fleet.startServer(ServerSettings.builder().host("127.0.0.1").port(port));
      fleet.client(TestFleet.settings("127.0.0.1:" + port, "site").build(), FakeClientApp.adding(1, 1));
      assertThat(first.registry().awaitClients(1, Duration.ofSeconds(10))).isTrue();

      first.close(); // the server goes away without finishing a run: the client must keep trying
      FlotillaServer second = fleet.startServer(ServerSettings.builder().host("127.0.0.1").port(port));
      assertThat(second.registry().awaitClients(1, Duration.ofSeconds(20))).as("client came back").isTrue();
      RunSummary summary = fleet.run(new FedAvg(), TestModels.small(), ONE_ROUND);

      assertThat(summary.records().get(0).clientsOk()).isEqualTo(1);
      assertThat(summary.finalModel().contentEquals(TestModels.plus(TestModels.small(), 1))).isTrue();
      fleet.awaitClientsFinished(Duration.ofSeconds(10));
    }
  }

  @Test
  void garbageOnThePortChangesNothing() throws Exception {
    try (TestFleet fleet = TestFleet.start(s -> s)) {
      Random random = new Random(11);
      for (int i = 0; i < 3; i++) {
        try (Socket raw = new Socket("127.0.0.1", fleet.server().port())) {
          OutputStream out = raw.getOutputStream();
          byte[] garbage = new byte[4096];
          random.nextBytes(garbage);
          out.write(i == 0 ? "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII) : garbage);
          out.flush();
        }
      }
      fleet.client("real", FakeClientApp.adding(1, 1));

      RunSummary summary = fleet.run(new FedAvg(), TestModels.small(), ONE_ROUND);

      assertThat(summary.records().get(0).clientsOk()).isEqualTo(1);
      assertThat(summary.finalModel().contentEquals(TestModels.plus(TestModels.small(), 1))).isTrue();
    }
  }

  @Test
  void portInUseIsAClearError() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      assertThatThrownBy(() -> FlotillaServer.start(
          ServerSettings.builder().host("127.0.0.1").port(taken.getLocalPort()).build()))
          .isInstanceOf(FlotillaException.class)
          .hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort());
    }
  }

  @Test
  void settingsNameTheBadValue() {
    assertThatThrownBy(() -> ServerSettings.builder().chunkBytes(0).build()).hasMessageContaining("got 0");
    assertThatThrownBy(() -> ServerSettings.builder().flowControlWindowBytes(1000).build())
        .hasMessageContaining("flow-control window").hasMessageContaining("got 1000");
  }
}
