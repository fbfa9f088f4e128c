package dev.flotilla.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CancellationRegistryTest {
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final CancellationRegistry requests = new CancellationRegistry(timer, System::currentTimeMillis);

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  @Test
  void aRequestCancelledWhileQueuedNeverStarts() {
    requests.queued(1, 0);
    requests.cancel(1);

    assertThat(requests.start(1)).isFalse();
    assertThat(requests.size()).isZero();
  }

  @Test
  void aRunningRequestIsInterruptedAndTheInterruptIsClearedWhenItFinishes() throws Exception {
    requests.queued(1, 0);
    CountDownLatch running = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    AtomicBoolean cleanAfterwards = new AtomicBoolean();
    Thread app = new Thread(() -> {
      assertThat(requests.start(1)).isTrue();
      running.countDown();
      try {
        Thread.sleep(5_000);
      } catch (InterruptedException e) {
        interrupted.set(true);
        Thread.currentThread().interrupt(); // as an app that stops but leaves the flag set
      }
      requests.finish(1);
      cleanAfterwards.set(!Thread.currentThread().isInterrupted());
    });
    app.start();
    running.await();

    requests.cancel(1);
    app.join(5_000);

    assertThat(interrupted).isTrue();
    assertThat(cleanAfterwards).as("the next request starts without the interrupt").isTrue();
    assertThat(requests.size()).isZero();
  }

  @Test
  void theDeadlineCancelsARunningRequest() throws Exception {
    requests.queued(1, System.currentTimeMillis() + 100);
    assertThat(requests.start(1)).isTrue();
    long start = System.nanoTime();
    try {
      Thread.sleep(5_000);
    } catch (InterruptedException e) {
      // the deadline
    } finally {
      requests.finish(1);
    }
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(50L, 2_000L);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void cancellingAFinishedOrUnknownRequestDoesNothing() {
    requests.queued(1, 0);
    assertThat(requests.start(1)).isTrue();
    requests.finish(1);

    requests.cancel(1);
    requests.cancel(99);

    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    assertThat(requests.start(99)).as("untracked requests run").isTrue();
  }

  @Test
  void aLostConnectionCancelsEverything() {
    requests.queued(1, 0);
    requests.queued(2, 0);
    requests.cancelAll();

    assertThat(requests.start(1)).isFalse();
    assertThat(requests.start(2)).isFalse();
  }
}
