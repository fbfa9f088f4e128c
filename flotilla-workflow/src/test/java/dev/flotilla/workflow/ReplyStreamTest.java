package dev.flotilla.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.strategy.ClientFailure.Kind;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientFailureException;
import dev.flotilla.core.strategy.ClientResult;
import dev.flotilla.core.tensor.ModelWeights;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ReplyStreamTest {
  private final AtomicInteger late = new AtomicInteger();
  private final AtomicInteger released = new AtomicInteger();

  private ReplyStream<String> stream(Duration timeout) {
    return new ReplyStream<>("test round", timeout, (id, m) -> {
      if (m.config().getBoolean("bad", false)) {
        throw new FlotillaException("it is bad");
      }
      return m.type();
    }, late);
  }

  private Reply reply(String type, Config config) {
    return new Reply(new Message(type, config, Metrics.empty(), ModelWeights.empty()), released::incrementAndGet);
  }

  @Test
  void deliversInArrivalOrderAndReleasesEachReplyWhenIterationMovesOn() {
    ReplyStream<String> s = stream(Duration.ofSeconds(5));
    CompletableFuture<Reply> a = new CompletableFuture<>();
    CompletableFuture<Reply> b = new CompletableFuture<>();
    s.expect("a", a);
    s.expect("b", b);
    b.complete(reply("second-sent", Config.empty()));
    a.complete(reply("first-sent", Config.empty()));

    Iterator<ClientResult<String>> it = s.iterator();
    assertThat(it.next()).isEqualTo(new ClientResult<>("b", "second-sent"));
    assertThat(released).hasValue(0);
    assertThat(it.next()).isEqualTo(new ClientResult<>("a", "first-sent"));
    assertThat(released).hasValue(1);
    assertThat(it.hasNext()).isFalse();
    assertThat(released).hasValue(2);
    assertThat(s.delivered()).isEqualTo(2);
    assertThat(s.failures()).isEmpty();
  }

  @Test
  void classifiesFailures() {
    ReplyStream<String> s = stream(Duration.ofSeconds(5));
    s.expect("gone", CompletableFuture.failedFuture(new ClientFailureException(Kind.DISCONNECTED, "connection reset")));
    s.expect("corrupt", CompletableFuture.failedFuture(new ClientFailureException(Kind.REJECTED, "CRC32 mismatch")));
    s.expect("broken", CompletableFuture.completedFuture(
        new Reply(Message.error(MessageError.Code.APP_ERROR, "disk full"), released::incrementAndGet)));
    s.expect("lost", CompletableFuture.failedFuture(new IllegalStateException("worker died")));
    s.expect("invalid", CompletableFuture.completedFuture(reply("x", Config.of("bad", true))));
    s.fail("absent", Kind.DISCONNECTED, "not connected");

    assertThat(s.iterator().hasNext()).isFalse();
    assertThat(s.failures()).containsExactlyInAnyOrder(
        new ClientFailure("absent", Kind.DISCONNECTED, "not connected"),
        new ClientFailure("gone", Kind.DISCONNECTED, "connection reset"),
        new ClientFailure("corrupt", Kind.REJECTED, "CRC32 mismatch"),
        new ClientFailure("broken", Kind.CLIENT_ERROR, "APP_ERROR: disk full"),
        new ClientFailure("lost", Kind.DISCONNECTED, "worker died"),
        new ClientFailure("invalid", Kind.REJECTED, "it is bad"));
    assertThat(released).hasValue(2);
  }

  @Test
  void silentClientsTimeOutAndTheirRequestsAreCancelled() {
    ReplyStream<String> s = stream(Duration.ofMillis(150));
    CompletableFuture<Reply> slow = new CompletableFuture<>();
    s.expect("fast", CompletableFuture.completedFuture(reply("ok", Config.empty())));
    s.expect("slow", slow);

    long start = System.nanoTime();
    assertThat(s.toList()).extracting(ClientResult::clientId).containsExactly("fast");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
    assertThat(s.failures()).singleElement().extracting(ClientFailure::kind).isEqualTo(Kind.TIMEOUT);
    assertThat(slow).as("the client is told to stop").isCancelled();
    assertThat(released).hasValue(1);
    assertThat(late).hasValue(0);
  }

  @Test
  void aReplyThatArrivesAfterTheDeadlineIsDroppedAndReleased() {
    ReplyStream<String> s = stream(Duration.ofMillis(50));
    CompletableFuture<Reply> ignoresCancel = new CompletableFuture<>() {
      @Override
      public boolean cancel(boolean mayInterrupt) {
        return false; // as a transport that cannot reach its client
      }
    };
    s.expect("slow", ignoresCancel);
    assertThat(s.toList()).isEmpty();

    ignoresCancel.complete(reply("ok", Config.empty()));

    assertThat(late).hasValue(1);
    assertThat(released).hasValue(1);
  }

  @Test
  void closeReleasesRepliesTheStrategyDidNotTakeAndCancelsTheRest() {
    ReplyStream<String> s = stream(Duration.ofSeconds(5));
    s.expect("a", CompletableFuture.completedFuture(reply("ok", Config.empty())));
    s.expect("b", CompletableFuture.completedFuture(reply("ok", Config.empty())));
    CompletableFuture<Reply> c = new CompletableFuture<>();
    s.expect("c", c);

    s.iterator().next();
    s.close();

    assertThat(released).hasValue(2);
    assertThat(c).isCancelled();
  }

  @Test
  void canBeIteratedOnce() {
    ReplyStream<String> s = stream(Duration.ofSeconds(1));
    s.iterator();
    assertThatThrownBy(s::iterator).isInstanceOf(IllegalStateException.class);
  }
}
