package dev.flotilla.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.testing.FakeClientApp;
import dev.flotilla.core.testing.TestModels;
import dev.flotilla.workflow.ClientProxy;
import dev.flotilla.workflow.Reply;
import dev.flotilla.workflow.RunSummary;
import dev.flotilla.workflow.SyncSettings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Work whose result can no longer count is dropped by the client, over real gRPC. */
@Timeout(30)
class CancellationTest {
  /** One call of the slow app: when it started and ended, the request's deadline, whether it finished. */
  record Call(long startMillis, long endMillis, long deadlineMillis, boolean finished) {}

  /** Trains for 5 s in 10 ms batches, checking for an interrupt between batches as the DJL trainer does. */
  static final class SlowApp implements ClientApp {
    final List<Call> calls = new CopyOnWriteArrayList<>();

    @Override
    public Message handle(Message message, dev.flotilla.core.client.Context context) {
      long start = System.currentTimeMillis();
      try {
        for (int batch = 0; batch < 500; batch++) {
          Thread.sleep(10);
        }
      } catch (InterruptedException e) {
        calls.add(new Call(start, System.currentTimeMillis(), message.metadata().deadlineMillis(), false));
        throw new CancellationException("stopped between batches");
      }
      calls.add(new Call(start, System.currentTimeMillis(), message.metadata().deadlineMillis(), true));
      return new Message(MessageTypes.TRAIN_RESULT, Config.of("num_examples", 1), Metrics.empty(),
          MessageTypes.toTrainInstructions(message).model());
    }
  }

  @Test
  void aClientSlowerThanTheRoundTimeoutDoesNotTrainRoundsThatAreOver() throws Exception {
    SlowApp slow = new SlowApp();
    try (TestFleet fleet = TestFleet.start(s -> s)) {
      fleet.client("slow", slow);
      fleet.client("fast", FakeClientApp.adding(1, 1));
      long start = System.nanoTime();

      RunSummary summary = fleet.run(new FedAvg(), TestModels.small(), SyncSettings.builder().rounds(3)
          .minClients(2).minFitClients(1).roundTimeout(Duration.ofMillis(700)).evaluateInitial(false).build());

      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      assertThat(seconds).as("three rounds of 0.7 s, not 5 s of training each").isLessThan(5);
      assertThat(summary.finalModel().contentEquals(TestModels.plus(TestModels.small(), 3))).isTrue();
      fleet.awaitClientsFinished(Duration.ofSeconds(10));
      assertThat(slow.calls).as("one call per round, none queued behind another").hasSize(3);
      for (Call c : slow.calls) {
        assertThat(c.finished()).as("%s", c).isFalse();
        assertThat(c.startMillis()).as("started before its deadline: %s", c).isLessThanOrEqualTo(c.deadlineMillis());
        assertThat(c.endMillis() - c.deadlineMillis()).as("stopped at its deadline: %s", c).isLessThan(400);
      }
    }
  }

  @Test
  void aCancelledRequestIsNotStartedOrIsInterruptedAndTheConnectionCarriesOn() throws Exception {
    CountDownLatch firstRunning = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    CountDownLatch blockRunning = new CountDownLatch(1);
    List<String> seen = new CopyOnWriteArrayList<>();
    List<String> interrupted = new CopyOnWriteArrayList<>();
    ClientApp app = (message, context) -> {
      seen.add(message.type());
      try {
        if (message.type().equals("first")) {
          firstRunning.countDown();
          releaseFirst.await();
        } else if (message.type().equals("block")) {
          blockRunning.countDown();
          Thread.sleep(10_000);
        }
      } catch (InterruptedException e) {
        interrupted.add(message.type());
        throw new CancellationException("interrupted");
      }
      return Message.of("done");
    };
    try (TestFleet fleet = TestFleet.start(s -> s)) {
      fleet.client("site", app);
      assertThat(fleet.server().registry().awaitClients(1, Duration.ofSeconds(10))).isTrue();
      ClientProxy site = fleet.server().registry().client("site").orElseThrow();

      CompletableFuture<Reply> first = site.request(Message.of("first"));
      CompletableFuture<Reply> second = site.request(Message.of("second"));
      assertThat(firstRunning.await(5, TimeUnit.SECONDS)).isTrue();
      second.cancel(false); // queued behind "first" on the client
      Thread.sleep(200); // the cancel crosses the network
      releaseFirst.countDown();
      try (Reply r = first.get(5, TimeUnit.SECONDS)) {
        assertThat(r.message().type()).isEqualTo("done");
      }

      CompletableFuture<Reply> block = site.request(Message.of("block"));
      assertThat(blockRunning.await(5, TimeUnit.SECONDS)).isTrue();
      block.cancel(false); // running: the app thread is interrupted

      try (Reply r = site.request(Message.of("third")).get(5, TimeUnit.SECONDS)) {
        assertThat(r.message().type()).isEqualTo("done");
      }
      assertThat(seen).containsExactly("first", "block", "third");
      assertThat(interrupted).containsExactly("block");
      assertThat(site.isConnected()).as("the CANCELLED answers were taken quietly").isTrue();
    }
  }
}
