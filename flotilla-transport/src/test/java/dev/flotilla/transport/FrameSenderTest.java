package dev.flotilla.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.testing.TestModels;
import dev.flotilla.transport.proto.Frame;
import io.grpc.stub.CallStreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FrameSenderTest {
  private static final Message MODEL = new Message("train", Config.empty(), Metrics.empty(), TestModels.small());
  /** 80,000 bytes of arrays: above {@link Protocol#UNGRANTED_ARRAY_BYTES}, so an upload of it waits for a grant. */
  private static final Message UPLOAD = new Message("train_result", Config.empty(), Metrics.empty(),
      ModelWeights.of(Tensor.of("w", new int[] {20_000}, new float[20_000])));

  @Test
  void waitsForReadinessBeforeEachFrame() throws Exception {
    FakeStream stream = new FakeStream();
    FrameSender sender = new FrameSender(stream, new MessageEncoder(8));
    CompletableFuture<Long> sent = CompletableFuture.supplyAsync(() -> send(sender, 1));

    Thread.sleep(100);
    assertThat(stream.frames).isEmpty();
    assertThat(sent).isNotDone();

    stream.becomeReady();
    assertThat(sent.get(5, TimeUnit.SECONDS)).isEqualTo(MODEL.arrays().byteSize());
    assertThat(stream.frames).hasSize(2 + 5); // start, 36 bytes in chunks of 8, end
  }

  @Test
  void closingWakesABlockedSender() {
    FakeStream stream = new FakeStream();
    FrameSender sender = new FrameSender(stream, new MessageEncoder(8));
    CompletableFuture<Long> sent = CompletableFuture.supplyAsync(() -> send(sender, 1));

    sender.markClosed("peer went away");

    assertThatThrownBy(() -> sent.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(ConnectionClosedException.class)
        .hasMessageContaining("peer went away");
    assertThat(sender.isClosed()).isTrue();
  }

  @Test
  void aSendCutShortLetsGoOfTheSharedEncoding() {
    FakeStream stream = new FakeStream();
    MessageEncoder encoder = new MessageEncoder(8, Long.MAX_VALUE);
    FrameSender sender = new FrameSender(stream, encoder);
    CompletableFuture<Long> sent = CompletableFuture.supplyAsync(() -> send(sender, 1));
    for (int i = 0; i < 250 && !encoder.sharing(); i++) {
      sleep(20); // until the send holds the encoding and waits for readiness
    }
    assertThat(encoder.sharing()).isTrue();

    sender.markClosed("peer went away");

    assertThatThrownBy(() -> sent.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(ConnectionClosedException.class);
    assertThat(encoder.sharing()).as("the model's encoding is not kept for a message that will never be sent")
        .isFalse();
  }

  @Test
  void aChunkTheTransportRefusesLeavesNothingDrawnBehind() {
    FakeStream stream = FakeStream.ready();
    stream.refuseChunks = true; // as gRPC does once the call is cancelled: it throws before serialising
    FrameSender sender = new FrameSender(stream, new MessageEncoder(8));

    assertThatThrownBy(() -> sender.send(TestMessages.sent(MODEL, 1))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cancelled");
    assertThat(FrameMarshaller.INSTANCE.drawnFrames()).isZero();
  }

  @Test
  void concurrentMessagesDoNotInterleave() throws Exception {
    FakeStream stream = new FakeStream();
    stream.becomeReady();
    FrameSender sender = new FrameSender(stream, new MessageEncoder(3));
    List<CompletableFuture<Long>> sends = List.of(
        CompletableFuture.supplyAsync(() -> send(sender, 1)), CompletableFuture.supplyAsync(() -> send(sender, 2)),
        CompletableFuture.supplyAsync(() -> send(sender, 3)));
    CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);

    long current = -1;
    for (Frame f : stream.frames) {
      if (f.hasStart()) {
        assertThat(current).as("a message started inside another").isEqualTo(-1);
        current = f.getStart().getMessageId();
      } else if (f.hasChunk()) {
        assertThat(f.getChunk().getMessageId()).isEqualTo(current);
      } else {
        assertThat(f.getEnd().getMessageId()).isEqualTo(current);
        current = -1;
      }
    }
  }

  @Test
  void interruptedSenderFailsTheStream() throws Exception {
    FakeStream stream = new FakeStream();
    FrameSender sender = new FrameSender(stream, new MessageEncoder(8));
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        sender.send(TestMessages.sent(MODEL, 1));
        outcome.complete(null);
      } catch (InterruptedException | RuntimeException e) {
        outcome.complete(e);
      }
    });
    t.start();
    Thread.sleep(100);
    t.interrupt();

    assertThat(outcome.get(5, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
    assertThat(stream.error).isNotNull();
    assertThat(sender.isClosed()).isTrue();
  }

  @Test
  void messageWithoutIdIsRefusedWithoutTouchingTheStream() {
    FakeStream stream = new FakeStream();
    stream.becomeReady();
    FrameSender sender = new FrameSender(stream, new MessageEncoder(8));

    assertThatThrownBy(() -> sender.send(MODEL)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("positive message id");
    assertThat(stream.frames).isEmpty();
    assertThat(sender.isClosed()).isFalse();
  }

  @Test
  void completeEndsTheStreamOnce() {
    FakeStream stream = new FakeStream();
    FrameSender sender = new FrameSender(stream, new MessageEncoder(8));
    sender.complete();
    sender.complete();
    sender.fail(io.grpc.Status.CANCELLED);

    assertThat(stream.completions).isEqualTo(1);
    assertThat(stream.error).isNull();
  }

  @Test
  void anUploadSendsItsStartThenWaitsForItsGrantBeforeItsChunks() throws Exception {
    FakeStream stream = FakeStream.ready();
    FrameSender sender = new FrameSender(stream, new MessageEncoder(64 << 10));
    CompletableFuture<Long> sent = uploadWaitingForItsGrant(stream, sender, 7);

    for (long other = 1; other <= 1_000; other++) {
      if (other != 7) {
        sender.granted(other); // other messages' grants do not release this one
      }
    }
    Thread.sleep(150);
    assertThat(stream.frames).as("only the start before the grant").hasSize(1);
    assertThat(stream.frames.get(0).getStart().getMessageId()).isEqualTo(7);
    assertThat(sent).isNotDone();

    sender.granted(7);
    assertThat(sent.get(5, TimeUnit.SECONDS)).isEqualTo(UPLOAD.arrays().byteSize());
    assertThat(stream.frames).hasSize(2 + 2); // start, 80,000 bytes in chunks of 64 KiB, end
  }

  @Test
  void aGrantThatComesBackBeforeTheWaitLetsTheUploadThroughAndSmallMessagesNeverWait() throws Exception {
    FakeStream stream = FakeStream.ready();
    FrameSender sender = new FrameSender(stream, new MessageEncoder(64 << 10));
    stream.onFrame = f -> { // the server's grant arrives while the start is still being sent
      if (f.hasStart()) {
        sender.granted(f.getStart().getMessageId());
      }
    };
    assertThat(sendWhenGranted(sender, 1)).isEqualTo(UPLOAD.arrays().byteSize());
    stream.onFrame = f -> { };
    // each would block forever if it waited: no arrays, and arrays of at most Protocol.UNGRANTED_ARRAY_BYTES
    sender.sendWhenGranted(TestMessages.sent(Message.of("ping"), 2));
    sender.sendWhenGranted(TestMessages.sent(MODEL, 3));
    Message limit = new Message("train_result", Config.empty(), Metrics.empty(), ModelWeights.of(
        Tensor.of("w", new int[] {Protocol.UNGRANTED_ARRAY_BYTES / 4}, new float[Protocol.UNGRANTED_ARRAY_BYTES / 4])));
    sender.sendWhenGranted(TestMessages.sent(limit, 4));
    assertThat(stream.frames).hasSize(4 + 1 + 1 + 1); // the small ones are a WholeMessage frame each
  }

  @Test
  void closingWakesASenderWaitingForItsGrant() throws Exception {
    FakeStream stream = FakeStream.ready();
    FrameSender sender = new FrameSender(stream, new MessageEncoder(64 << 10));
    CompletableFuture<Long> sent = uploadWaitingForItsGrant(stream, sender, 3);

    sender.markClosed("the server went away");

    assertThatThrownBy(() -> sent.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(ConnectionClosedException.class)
        .hasMessageContaining("the server went away");
  }

  @Test
  void sendNowPassesBetweenTheFramesOfAMessageAndNeverWaits() throws Exception {
    FakeStream stream = new FakeStream(); // never ready: a message waits before its first frame
    FrameSender sender = new FrameSender(stream, new MessageEncoder(8));
    CompletableFuture<Long> blocked = CompletableFuture.supplyAsync(() -> send(sender, 1));
    Thread.sleep(100);

    assertThat(sender.sendNow(FrameSender.uploadGrant(9))).isTrue();
    assertThat(stream.frames).hasSize(1);
    assertThat(stream.frames.get(0).getUploadGrant().getMessageId()).isEqualTo(9);
    assertThat(blocked).isNotDone();

    sender.markClosed("done");
    assertThat(sender.sendNow(FrameSender.uploadGrant(10))).isFalse();
    assertThat(stream.frames).hasSize(1);
  }

  /** Starts sending {@link #UPLOAD} as message {@code id} and returns once its start is on {@code stream}. */
  private static CompletableFuture<Long> uploadWaitingForItsGrant(FakeStream stream, FrameSender sender, long id)
      throws InterruptedException {
    CompletableFuture<Long> sent = CompletableFuture.supplyAsync(() -> sendWhenGranted(sender, id));
    for (int i = 0; i < 250 && stream.frames.isEmpty(); i++) {
      Thread.sleep(20);
    }
    return sent;
  }

  private static long sendWhenGranted(FrameSender sender, long id) {
    return uninterrupted(() -> sender.sendWhenGranted(TestMessages.sent(UPLOAD, id)));
  }

  private static long send(FrameSender sender, long id) {
    return uninterrupted(() -> sender.send(TestMessages.sent(MODEL, id)));
  }

  /** A send, for a thread of the common pool: an interrupt becomes an unchecked exception. */
  private interface Send {
    long run() throws InterruptedException;
  }

  private static long uninterrupted(Send send) {
    try {
      return send.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A stream whose readiness the test controls. */
  private static final class FakeStream extends CallStreamObserver<Frame> {
    final List<Frame> frames = new CopyOnWriteArrayList<>();
    volatile boolean ready;
    volatile Runnable onReady = () -> { };
    volatile java.util.function.Consumer<Frame> onFrame = f -> { };
    volatile Throwable error;
    volatile int completions;
    volatile boolean refuseChunks;

    /** A stream that is ready from the start. */
    static FakeStream ready() {
      FakeStream s = new FakeStream();
      s.becomeReady();
      return s;
    }

    void becomeReady() {
      ready = true;
      onReady.run();
    }

    @Override
    public boolean isReady() {
      return ready;
    }

    @Override
    public void setOnReadyHandler(Runnable handler) {
      onReady = handler;
    }

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void request(int count) {}

    @Override
    public void setMessageCompression(boolean enable) {}

    @Override
    public void onNext(Frame value) { // serialises the frame as a gRPC call does, drawn chunks included
      if (refuseChunks && value.hasChunk()) {
        throw new IllegalStateException("call was cancelled");
      }
      Frame frame = TestMessages.serialized(value);
      frames.add(frame);
      onFrame.accept(frame);
    }

    @Override
    public void onError(Throwable t) {
      error = t;
    }

    @Override
    public void onCompleted() {
      completions++;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
