package dev.flotilla.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.core.testing.FakeClientApp;
import dev.flotilla.core.testing.TestModels;
import dev.flotilla.transport.FrameMarshaller;
import dev.flotilla.transport.proto.Chunk;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.workflow.RunSummary;
import dev.flotilla.workflow.SyncSettings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Uploads whose arrays the server lends (FedAvg's, read where the transport received them) over real gRPC: one cut
 * off mid-upload and one that fails its checksum are rejected, the honest one is folded, and none of the transport's
 * buffers stays held.
 */
@Timeout(60)
class LentUploadTest {
  private static final ModelWeights MODEL = TestModels.random(List.of(new TensorSpec("w", new int[] {200_001}),
      new TensorSpec("b", new int[] {9})), 5); // 800 KB: chunk frames of 64 KiB, which the transport lends

  @Test
  void uploadsCutShortOrCorruptGiveBackEveryTransportBufferTheyHeld() throws Exception {
    int before = FrameMarshaller.INSTANCE.lentFrames(); // the marshaller is the JVM's: other tests' frames count
    try (TestFleet fleet = TestFleet.start(s -> s.uploadSlots(3).lendUploads(true))) {
      int port = fleet.server().port();
      RawPeer cut = new RawPeer(port).hello("cut");
      RawPeer corrupt = new RawPeer(port).hello("corrupt");
      fleet.client("honest", FakeClientApp.adding(1, 10));
      assertThat(fleet.server().registry().awaitClients(3, Duration.ofSeconds(10))).isTrue();

      CompletableFuture<Void> attacks = CompletableFuture.allOf(
          upload(cut, frames -> {
            frames.subList(1, 4).forEach(cut::send); // three chunks of the thirteen, then the connection drops
            try {
              cut.close();
            } catch (InterruptedException e) {
              throw new IllegalStateException(e);
            }
          }),
          upload(corrupt, frames -> {
            for (int i = 1; i < frames.size(); i++) {
              Frame f = frames.get(i);
              if (i == 3) {
                Chunk c = f.getChunk();
                byte[] data = c.getData().toByteArray();
                data[1000] ^= 0x10;
                f = Frame.newBuilder().setChunk(c.toBuilder().setData(com.google.protobuf.ByteString.copyFrom(data)))
                    .build();
              }
              corrupt.send(f);
            }
          }));
      RunSummary summary = fleet.run(new FedAvg(), MODEL, SyncSettings.builder().rounds(1).minClients(3)
          .minFitClients(1).roundTimeout(Duration.ofSeconds(10)).evaluateInitial(false).build());
      attacks.get(10, TimeUnit.SECONDS);

      assertThat(summary.records().get(0).clientsOk()).isEqualTo(1);
      assertThat(summary.records().get(0).clientsFailed()).as("cut and corrupt").isEqualTo(2);
      assertThat(summary.finalModel().get(0).get(7)).isEqualTo(MODEL.get(0).get(7) + 1);
      for (int i = 0; i < 50 && FrameMarshaller.INSTANCE.lentFrames() > before; i++) {
        Thread.sleep(100); // a dropped connection is closed on gRPC's own time
      }
      assertThat(FrameMarshaller.INSTANCE.lentFrames()).as("transport buffers still held").isEqualTo(before);
    }
  }

  /** On a thread of its own: waits for {@code peer}'s train request, sends the start of its reply, waits for the
   * grant, then hands the reply's frames to {@code rest}. */
  private static CompletableFuture<Void> upload(RawPeer peer, java.util.function.Consumer<List<Frame>> rest) {
    return CompletableFuture.runAsync(() -> {
      try {
        Message request = peer.nextMessage();
        assertThat(request.type()).isEqualTo(MessageTypes.TRAIN);
        List<Frame> frames = peer.encode(request.metadata().messageId(),
            new Message(MessageTypes.TRAIN_RESULT, Config.of("num_examples", 5), Metrics.empty(), MODEL));
        peer.send(frames.get(0));
        assertThat(peer.nextGrant(Duration.ofSeconds(5))).as("upload grant").isNotNull();
        rest.accept(frames);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
  }
}
