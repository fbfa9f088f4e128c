package dev.flotilla.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.client.FlotillaClient;
import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.testing.FakeClientApp;
import dev.flotilla.core.testing.TestModels;
import dev.flotilla.workflow.AsyncSettings;
import dev.flotilla.workflow.AsyncWorkflow;
import dev.flotilla.workflow.RoundRecord;
import dev.flotilla.workflow.RunSummary;
import dev.flotilla.workflow.Staleness;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The asynchronous workflow over gRPC clients on 127.0.0.1. */
@Timeout(60)
class AsyncWorkflowDeploymentTest {
  private static final ModelWeights INITIAL = TestModels.small();

  @Test
  void aClientThatDisconnectsMidTrainingChangesNothingButTheFailureCount() throws Exception {
    CountDownLatch training = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    FakeClientApp stuck = FakeClientApp.training(ins -> {
      training.countDown();
      await(release);
      return new TrainResult(TestModels.plus(ins.model(), 100), 10, Metrics.empty());
    });
    try (TestFleet fleet = TestFleet.start(s -> s)) {
      fleet.client("a", FakeClientApp.adding(1, 10));
      fleet.client("b", FakeClientApp.adding(1, 10));
      FlotillaClient leaving = fleet.client("c", stuck);
      assertThat(fleet.server().registry().awaitClients(3, Duration.ofSeconds(10))).isTrue();
      Thread cut = new Thread(() -> {
        await(training);
        leaving.close();
      });
      cut.start();
      // all three start at once (concurrency 3); every update is +1 and counts fully, so each version adds 1
      AsyncSettings settings = AsyncSettings.builder().versions(4).concurrency(3).bufferSize(2)
          .staleness(Staleness.constant()).maxStaleness(100).minClients(3).taskTimeout(Duration.ofSeconds(20))
          .seed(1).evaluateInitial(false).build();
      AsyncWorkflow workflow = new AsyncWorkflow(fleet.server().registry(), settings);

      RunSummary summary = workflow.run(new FedAvg(), INITIAL, (record, model) -> { });

      assertThat(summary.records()).hasSize(4).allMatch(r -> r.clientsOk() == 2);
      assertThat(summary.records().stream().mapToInt(RoundRecord::clientsFailed).sum()).isEqualTo(1);
      assertThat(workflow.failedResults()).isEqualTo(1);
      for (int t = 0; t < INITIAL.count(); t++) {
        for (int i = 0; i < INITIAL.get(t).size(); i++) {
          assertThat((double) summary.finalModel().get(t).get(i)).isCloseTo(INITIAL.get(t).get(i) + 4, within(1e-5));
        }
      }
      cut.join(5000);
    } finally {
      release.countDown();
    }
  }

  @Test
  void eachTaskCarriesTheModelVersionItsClientStartsFromAndEachVersionIsARound() throws Exception {
    try (TestFleet fleet = TestFleet.start(s -> s)) {
      List<Long> sent = new CopyOnWriteArrayList<>();
      FakeClientApp adding = FakeClientApp.adding(1, 10);
      ClientApp recording = (message, context) -> {
        sent.add(message.metadata().modelVersion());
        return adding.handle(message, context);
      };
      for (String id : new String[] {"a", "b", "c"}) {
        fleet.client(id, recording);
      }
      assertThat(fleet.server().registry().awaitClients(3, Duration.ofSeconds(10))).isTrue();
      AsyncSettings settings = AsyncSettings.builder().versions(3).concurrency(2).bufferSize(1).minClients(3)
          .taskTimeout(Duration.ofSeconds(20)).seed(2).evaluateInitial(true).build();
      List<Integer> rounds = new CopyOnWriteArrayList<>();

      RunSummary summary = new AsyncWorkflow(fleet.server().registry(), settings).run(new FedAvg(), INITIAL,
          (record, model) -> rounds.add(record.round()));

      assertThat(rounds).containsExactly(0, 1, 2, 3);
      // two tasks from version 0, then one from each new version (the last ones may be cancelled unanswered)
      assertThat(sent.stream().filter(v -> v == 0)).hasSize(2);
      assertThat(sent).allMatch(v -> v >= 0 && v <= 3).contains(1L, 2L);
      assertThat(summary.records().get(3).metrics().get("staleness_max")).isPresent();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
