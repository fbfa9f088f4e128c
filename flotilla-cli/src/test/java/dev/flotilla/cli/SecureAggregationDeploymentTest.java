package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.client.ClientSettings;
import dev.flotilla.client.FlotillaClient;
import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.he.HeSettings;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.secagg.SecAggSettings;
import dev.flotilla.djl.DjlClientApp;
import dev.flotilla.djl.data.FashionMnist;
import dev.flotilla.djl.data.LabelledImages;
import dev.flotilla.djl.model.Models;
import dev.flotilla.server.FlotillaServer;
import dev.flotilla.server.ServerSettings;
import dev.flotilla.workflow.RoundRecord;
import dev.flotilla.workflow.RunSummary;
import dev.flotilla.workflow.SyncSettings;
import dev.flotilla.workflow.TrainStage;
import dev.flotilla.workflow.he.PaillierStage;
import dev.flotilla.workflow.secagg.SecAggPlusStage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Secure aggregation over gRPC on 127.0.0.1: four DJL clients with the CLI's client mods, one of which fails in its
 * second training round (SecAgg+ then unmasks without it); and the same federation under Paillier encryption.
 */
class SecureAggregationDeploymentTest {
  @Test
  void secAggPlusSurvivesAClientThatFailsWhileTrainingOverGrpc() throws Exception {
    List<RoundRecord> records = run(new SecAggPlusStage(SecAggSettings.of(3, 2)));
    assertThat(records.get(1).clientsOk()).isEqualTo(4);
    assertThat(records.get(2).clientsOk()).isEqualTo(3);
    assertThat(records.get(2).clientsFailed()).isEqualTo(1);
    assertThat(records.get(2).metrics().get(SecAggPlusStage.DROPPED).orElseThrow()).isEqualTo(1);
    assertThat(records.get(2).accuracy()).isGreaterThan(records.get(0).accuracy() + 0.3);
  }

  @Test
  void paillierAggregatesOverGrpc() throws Exception {
    List<RoundRecord> records = run(new PaillierStage(new HeSettings(1024, 16, 8.0, 4, 1000, true), "site-0"));
    assertThat(records.get(1).clientsOk()).isEqualTo(4);
    assertThat(records.get(2).clientsOk()).isEqualTo(3);
    assertThat(records.get(2).accuracy()).isGreaterThan(records.get(0).accuracy() + 0.3);
  }

  private static List<RoundRecord> run(TrainStage stage) throws Exception {
    LabelledImages train = FashionMnist.train().first(4000);
    ExecutorService clientThreads = Executors.newFixedThreadPool(4);
    List<DjlClientApp> apps = new ArrayList<>();
    try (FlotillaServer server = FlotillaServer.start(ServerSettings.builder().host("127.0.0.1").port(0).build())) {
      List<Future<?>> clients = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        DjlClientApp djl = new DjlClientApp("logreg", train.subset(IntStream.range(c * 1000, (c + 1) * 1000)
            .toArray()), c);
        apps.add(djl);
        AtomicInteger trainings = new AtomicInteger();
        boolean failing = c == 3;
        ClientApp app = (m, ctx) -> {
          if (failing && m.type().equals(MessageTypes.TRAIN) && trainings.incrementAndGet() == 2) {
            throw new IllegalStateException("this site fails in its second round");
          }
          return djl.handle(m, ctx);
        };
        ClientSettings settings = ClientSettings.builder("127.0.0.1:" + server.port(), "site-" + c)
            .properties(Config.of("num_examples", 1000)).build();
        clients.add(clientThreads.submit(() -> {
          try (FlotillaClient client = new FlotillaClient(settings, app, ClientMods.parse(List.of(), 1))) {
            client.run();
          }
          return null;
        }));
      }
      SyncSettings sync = SyncSettings.builder().rounds(2).minClients(4).minFitClients(2)
          .roundTimeout(Duration.ofSeconds(120)).seed(7).build();
      RunSummary summary = ServerRun.run(server, sync, StrategyChoice.fedAvg(), Config.of("model", "logreg",
          "lr", 0.05), Models.initialWeights("logreg", 7), 1.0, 2, 0.0, FashionMnist.DEFAULT_DIR, null, stage);
      for (Future<?> f : clients) {
        f.get(30, TimeUnit.SECONDS);
      }
      return summary.records();
    } finally {
      clientThreads.shutdownNow();
      apps.forEach(DjlClientApp::close);
    }
  }
}
