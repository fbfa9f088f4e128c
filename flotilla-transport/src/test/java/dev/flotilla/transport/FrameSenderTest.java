package dev.flotilla.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.Metrics;
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

  private static long send(FrameSender sender, long id) {
    try {
      return sender.send(TestMessages.sent(MODEL, id));
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
    volatile Throwable error;
    volatile int completions;

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
    public void onNext(Frame value) {
      frames.add(value);
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
}
