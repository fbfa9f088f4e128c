package dev.flotilla.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.client.ClientMod;
import dev.flotilla.core.compress.Codecs;
import dev.flotilla.core.compress.Compression;
import dev.flotilla.core.compress.CompressionMod;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.core.testing.FakeClientApp;
import dev.flotilla.core.testing.RecordingStrategy;
import dev.flotilla.core.testing.TestModels;
import dev.flotilla.workflow.RoundRecord;
import dev.flotilla.workflow.RunSummary;
import dev.flotilla.workflow.SyncSettings;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Compressed updates and models through gRPC: what the server counts is what crossed the wire. */
@Timeout(30)
class CompressedTrafficTest {
  private static final ModelWeights INITIAL = TestModels.random(List.of(new TensorSpec("w", new int[] {20, 30}),
      new TensorSpec("b", new int[] {30})), 3);

  @Test
  void bytesUpAndDownAreTheEncodedArraysAndACorruptPayloadIsThatClientsFailure() throws Exception {
    AtomicLong up = new AtomicLong();
    AtomicLong down = new AtomicLong();
    // outermost: sees exactly the arrays that the client sends and receives
    ClientMod counting = (message, context, next) -> {
      down.addAndGet(message.arrays().byteSize());
      var reply = next.handle(message, context);
      up.addAndGet(reply.arrays().byteSize());
      return reply;
    };
    ClientMod truncating = (message, context, next) -> {
      var reply = next.handle(message, context);
      byte[] payload = reply.arrays().get("zstd").toByteArray();
      return reply.withArrays(ModelWeights.of(Tensor.ofBytes("zstd", Arrays.copyOf(payload, payload.length - 3))));
    };
    RecordingStrategy recording = new RecordingStrategy(new FedAvg());
    Compression strategy = new Compression(recording, Codecs.parse("int8+zstd"), Codecs.parse("fp16"));
    try (TestFleet fleet = TestFleet.start(s -> s)) {
      for (int i = 0; i < 2; i++) {
        fleet.client("c" + i, ClientMod.wrap(FakeClientApp.adding(0.25f, 10), List.of(counting, new CompressionMod())));
      }
      fleet.client("bad", ClientMod.wrap(FakeClientApp.adding(0.25f, 10),
          List.of(counting, truncating, new CompressionMod())));
      RunSummary run = fleet.run(strategy, INITIAL, SyncSettings.builder().rounds(1).minClients(3).minFitClients(1)
          .roundTimeout(Duration.ofSeconds(20)).evaluateInitial(false).build());

      RoundRecord r = run.records().get(0);
      assertThat(r.clientsOk()).isEqualTo(2);
      assertThat(r.clientsFailed()).isEqualTo(1);
      ClientFailure failure = recording.trainFailures().get(0).get(0);
      assertThat(failure.clientId()).isEqualTo("bad");
      assertThat(failure.kind()).isEqualTo(ClientFailure.Kind.REJECTED);
      assertThat(failure.reason()).isEqualTo("the compressed update does not decode: int8+zstd: the payload is corrupt: zstd: Src size is incorrect");
      assertThat(r.bytesUp()).isEqualTo(up.get());
      assertThat(r.bytesDown()).isEqualTo(down.get());
      assertThat(r.bytesDown()).isEqualTo(3 * INITIAL.byteSize() / 2); // fp16: half of float32
      assertThat(r.bytesUp()).isLessThan(3 * INITIAL.byteSize() / 3); // int8: a quarter, plus scales and headers
      for (int t = 0; t < INITIAL.count(); t++) {
        for (int i = 0; i < INITIAL.get(t).size(); i++) {
          assertThat(run.finalModel().get(t).get(i)).isCloseTo(INITIAL.get(t).get(i) + 0.25f, within(0.01f));
        }
      }
    }
  }
}
