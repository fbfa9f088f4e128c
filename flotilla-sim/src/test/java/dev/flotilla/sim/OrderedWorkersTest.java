package dev.flotilla.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.strategy.ClientFailureException;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.workflow.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class OrderedWorkersTest {
  private static Message numbered(int n) {
    return new Message("train_result", Config.of("n", n), Metrics.empty(), ModelWeights.empty());
  }

  @Test
  void repliesArriveInSubmissionOrderEvenWhenLaterTasksFinishFirst() throws Exception {
    CountDownLatch laterDone = new CountDownLatch(1);
    List<Integer> arrivals = new CopyOnWriteArrayList<>();
    List<CompletableFuture<Reply>> futures = new ArrayList<>();
    try (OrderedWorkers workers = new OrderedWorkers(2, 4, "test")) {
      futures.add(workers.submit(() -> {
        await(laterDone); // the first task finishes only after the second has
        return numbered(0);
      }));
      futures.add(workers.submit(() -> {
        laterDone.countDown();
        return numbered(1);
      }));
      for (int i = 2; i < 6; i++) {
        int n = i;
        futures.add(workers.submit(() -> numbered(n)));
      }
      for (CompletableFuture<Reply> f : futures) {
        f.thenAccept(r -> {
          arrivals.add(r.message().config().getInt("n", -1));
          r.close();
        });
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    }
    assertThat(arrivals).containsExactly(0, 1, 2, 3, 4, 5);
  }

  @Test
  void noMoreThanTheWindowIsHeldUntilRepliesAreClosed() throws Exception {
    AtomicInteger started = new AtomicInteger();
    List<CompletableFuture<Reply>> futures = new ArrayList<>();
    try (OrderedWorkers workers = new OrderedWorkers(2, 3, "test")) {
      for (int i = 0; i < 6; i++) {
        int n = i;
        futures.add(workers.submit(() -> {
          started.incrementAndGet();
          return numbered(n);
        }));
      }
      Reply first = futures.get(0).get(5, TimeUnit.SECONDS);
      futures.get(2).get(5, TimeUnit.SECONDS);
      Thread.sleep(200);
      assertThat(started.get()).as("tasks started while three replies are open").isEqualTo(3);
      assertThat(futures.get(3)).isNotDone();
      first.close();
      Reply fourth = futures.get(3).get(5, TimeUnit.SECONDS);
      Thread.sleep(200);
      assertThat(started.get()).as("tasks started after one reply was closed").isEqualTo(4);
      fourth.close();
      for (int i = 1; i < 6; i++) {
        futures.get(i).get(5, TimeUnit.SECONDS).close();
      }
      assertThat(started.get()).isEqualTo(6);
    }
  }

  @Test
  void aTaskThatThrowsFailsItsFutureOnly() throws Exception {
    try (OrderedWorkers workers = new OrderedWorkers(2, 4, "test")) {
      CompletableFuture<Reply> bad = workers.submit(() -> {
        throw new IllegalStateException("boom");
      });
      CompletableFuture<Reply> good = workers.submit(() -> numbered(7));
      assertThat(good.get(5, TimeUnit.SECONDS).message().config().getInt("n", -1)).isEqualTo(7);
      assertThat(bad).failsWithin(5, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(IllegalStateException.class).withMessageContaining("boom");
    }
  }

  @Test
  void closingFailsWhatWasNotDelivered() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    OrderedWorkers workers = new OrderedWorkers(1, 2, "test");
    CompletableFuture<Reply> running = workers.submit(() -> {
      await(release);
      return numbered(0);
    });
    CompletableFuture<Reply> queued = workers.submit(() -> numbered(1));
    workers.close();
    release.countDown();
    assertThat(queued).failsWithin(5, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(ClientFailureException.class);
    assertThat(running).failsWithin(5, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(ClientFailureException.class);
    assertThat(workers.submit(() -> numbered(2))).isCompletedExceptionally();
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
