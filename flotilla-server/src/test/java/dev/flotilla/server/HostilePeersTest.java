package dev.flotilla.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.core.testing.FakeClientApp;
import dev.flotilla.core.testing.TestModels;
import dev.flotilla.transport.proto.ArrayHeader;
import dev.flotilla.transport.proto.Chunk;
import dev.flotilla.transport.proto.DataType;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.transport.proto.MessageStart;
import dev.flotilla.workflow.RunSummary;
import dev.flotilla.workflow.SyncSettings;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile peers over real gRPC, all at once, next to two honest clients: the server refuses each attack without
 * assembling it, closes the attacker's connection with a reason, keeps serving the honest clients, and the run ends
 * with the model that the honest clients alone produce.
 */
@Timeout(60)
class HostilePeersTest {
  private static final ModelWeights INITIAL = TestModels.small();
  /** A half-open peer is silent until the keep-alive finds it dead (gRPC pings after 10 s at the earliest). */
  private static final SyncSettings TWO_ROUNDS = SyncSettings.builder().rounds(2).minClients(2).minFitClients(2)
      .roundTimeout(Duration.ofSeconds(2)).evaluateInitial(false).build();
  private static final Duration LIMIT = Duration.ofMillis(500);
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private static TestFleet guardedFleet() {
    return TestFleet.start(s -> s.keepAlive(Duration.ofSeconds(10), Duration.ofMillis(500))
        .limits(ConnectionLimits.defaults().withMaxMessageBytes(1 << 20).withUploadStallTimeout(LIMIT)
            .withHandshakeTimeout(LIMIT)));
  }

  private static void honestClients(TestFleet fleet) {
    fleet.client("honest-1", FakeClientApp.adding(1, 10));
    fleet.client("honest-2", FakeClientApp.adding(3, 30));
  }

  private <T extends AutoCloseable> T opened(T resource) {
    open.add(resource);
    return resource;
  }

  @Test
  void theRunEndsAsWithoutTheAttackers() throws Exception {
    ModelWeights reference;
    try (TestFleet fleet = guardedFleet()) {
      honestClients(fleet);
      reference = fleet.run(new FedAvg(), INITIAL, TWO_ROUNDS).finalModel();
    }

    try (TestFleet fleet = guardedFleet()) {
      int port = fleet.server().port();
      ClientRegistry registry = fleet.server().registry();
      // never say hello: 12 streams on 4 connections, and 10 TCP connections that send nothing at all
      List<RawPeer> silent = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        ManagedChannel channel = opened(new ClosingChannel(
            NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build())).channel();
        for (int s = 0; s < 3; s++) {
          silent.add(new RawPeer(channel, false));
        }
      }
      for (int i = 0; i < 10; i++) {
        opened(new Socket(InetAddress.getLoopbackAddress(), port));
      }
      RawPeer unsolicited = opened(new RawPeer(port)).hello("unsolicited");
      unsolicited.send(Frame.newBuilder().setStart(MessageStart.newBuilder().setMessageId(1).setReplyTo(0)
          .setType("train_result").addArrays(header("w", 1L << 20, 4))).build());
      assertClosed(unsolicited, Status.Code.INVALID_ARGUMENT, "answers no request");
      RawPeer giant = opened(new RawPeer(port)).hello("giant");
      RawPeer misshapen = opened(new RawPeer(port)).hello("misshapen");
      RawPeer staller = opened(new RawPeer(port)).hello("staller");
      BlackholeProxy path = opened(new BlackholeProxy(port));
      RawPeer halfOpen = opened(new RawPeer(path.port())).hello("half-open");
      honestClients(fleet);
      assertThat(registry.awaitClients(6, Duration.ofSeconds(10))).as("attackers and honest clients registered")
          .isTrue();
      path.blackhole();

      CompletableFuture<Void> attacks = CompletableFuture.allOf(
          attack(giant, request -> giant.send(Frame.newBuilder().setStart(MessageStart.newBuilder().setMessageId(1)
              .setReplyTo(request).setType(MessageTypes.TRAIN_RESULT)
              .addArrays(header("w", 1L << 30, 4)).addArrays(header("b", 1L << 30, 4))).build())),
          attack(misshapen, request -> misshapen.reply(request, trainResult(TestModels.random(
              List.of(new TensorSpec("w", new int[] {3, 2}), INITIAL.get(1).spec()), 1)))),
          attack(staller, request -> {
            List<Frame> frames = staller.encode(request, trainResult(INITIAL));
            Chunk first = frames.get(1).getChunk();
            staller.send(frames.get(0));
            staller.send(Frame.newBuilder().setChunk(first.toBuilder()
                .setData(first.getData().substring(0, first.getData().size() / 2))).build());
          }));

      RunSummary summary = fleet.run(new FedAvg(), INITIAL, TWO_ROUNDS);
      attacks.get(5, TimeUnit.SECONDS);

      assertSameModel(summary.finalModel(), reference);
      assertThat(summary.records()).extracting(r -> r.clientsOk()).containsExactly(2, 2);
      assertThat(summary.records().get(0).clientsFailed()).as("giant, misshapen, staller, half-open")
          .isEqualTo(4);
      assertThat(summary.records().get(1).clientsFailed()).as("half-open, until the keep-alive finds it dead")
          .isLessThanOrEqualTo(1);
      assertClosed(giant, Status.Code.INVALID_ARGUMENT, "declares 8589934592 array bytes, more than the");
      assertClosed(misshapen, Status.Code.INVALID_ARGUMENT, "is declared w[3, 2], its request allows w[2, 3]");
      assertClosed(staller, Status.Code.DEADLINE_EXCEEDED, "upload stalled");
      for (RawPeer p : silent) {
        assertClosed(p, Status.Code.DEADLINE_EXCEEDED, "handshake did not complete");
      }
      assertThat(halfOpen.closed).as("the half-open peer never hears of anything").isNotDone();
      for (int i = 0; i < 150 && registry.client("half-open").isPresent(); i++) {
        Thread.sleep(100);
      }
      assertThat(registry.client("half-open")).as("dropped once the keep-alive went unanswered").isEmpty();
      fleet.awaitClientsFinished(Duration.ofSeconds(10));
    }
  }

  /** Equal up to rounding: FedAvg folds results in the order they arrive, which varies between runs. */
  private static void assertSameModel(ModelWeights actual, ModelWeights expected) {
    assertThat(actual.specs()).isEqualTo(expected.specs());
    for (int t = 0; t < expected.count(); t++) {
      for (int i = 0; i < expected.get(t).size(); i++) {
        assertThat(actual.get(t).get(i)).as("tensor %d value %d", t, i).isCloseTo(expected.get(t).get(i),
            within(1e-5f));
      }
    }
  }

  private static ArrayHeader.Builder header(String name, long elements, int bytesPerElement) {
    return ArrayHeader.newBuilder().setName(name).setDtype(DataType.DATA_TYPE_FLOAT32).addShape(elements)
        .setByteLength(elements * bytesPerElement);
  }

  private static Message trainResult(ModelWeights weights) {
    return new Message(MessageTypes.TRAIN_RESULT, Config.of("num_examples", 5), Metrics.empty(), weights);
  }

  /** Waits on a thread of its own for {@code peer}'s train request, then runs {@code attack} on its id. */
  private static CompletableFuture<Void> attack(RawPeer peer, Attack attack) {
    return CompletableFuture.runAsync(() -> {
      try {
        Message request = peer.nextMessage();
        assertThat(request.type()).isEqualTo(MessageTypes.TRAIN);
        attack.on(request.metadata().messageId());
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private static void assertClosed(RawPeer peer, Status.Code code, String reason) throws Exception {
    Status status = peer.awaitClosed(Duration.ofSeconds(5));
    assertThat(status.getCode()).as("%s", status).isEqualTo(code);
    assertThat(status.getDescription()).contains(reason);
  }

  @FunctionalInterface
  private interface Attack {
    void on(long requestId);
  }

  /** A channel closed with the test. */
  private record ClosingChannel(ManagedChannel channel) implements AutoCloseable {
    @Override
    public void close() throws InterruptedException {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
