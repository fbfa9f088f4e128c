package dev.flotilla.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.FedMedian;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.core.testing.FakeClientApp;
import dev.flotilla.core.testing.TestModels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The asynchronous workflow on a simulated clock and on real time, over in-process clients. */
class AsyncWorkflowTest {
  private static final ModelWeights INITIAL = TestModels.small();

  private static AsyncSettings.Builder settings() {
    return AsyncSettings.builder().minClients(1).taskTimeout(Duration.ofSeconds(20)).seed(7).evaluateInitial(false);
  }

  private static TaskTimes fixed(Map<String, Double> seconds) {
    return (client, request) -> seconds.get(client.id());
  }

  /** The first value of tensor w, from which the number of +1 updates applied can be read. */
  private static double firstValue(ModelWeights m) {
    return m.get("w").get(0);
  }

  @Test
  void resultsAreTakenInSimulatedTimeAndWeightedByStaleness() throws Exception {
    // a takes 1 s, b 2.6 s, both start from version 0 at t = 0; every result adds 1 to each value, K = 1.
    // t=1 a (version 0, current 0, staleness 0) -> v1; t=2 a (v1, 0) -> v2; t=2.6 b (v0, current 2, staleness 2,
    // weight 1/3) -> v3; t=3 a (started at t=2 from v2, current 3, staleness 1, weight 1/2) -> v4; t=4 a (v4) -> v5
    LocalFleet fleet = new LocalFleet(Executors.newFixedThreadPool(2))
        .add("a", FakeClientApp.adding(1, 10)).add("b", FakeClientApp.adding(1, 10));
    AsyncSettings s = settings().versions(5).concurrency(2).bufferSize(1).staleness(Staleness.polynomial(1))
        .maxStaleness(5).build();

    RunSummary run = new AsyncWorkflow(fleet, s, fixed(Map.of("a", 1.0, "b", 2.6))).run(new FedAvg(), INITIAL,
        (r, m) -> { });

    assertThat(firstValue(run.finalModel())).isCloseTo(0.1 + 3 + 1 / 3.0 + 1 / 2.0, within(1e-5));
    assertThat(run.records()).extracting(r -> r.metrics().get("sim_seconds").orElseThrow())
        .containsExactly(1.0, 2.0, 2.6, 3.0, 4.0);
    assertThat(run.records()).extracting(r -> r.metrics().get("staleness_max").orElseThrow())
        .containsExactly(0.0, 0.0, 2.0, 1.0, 0.0);
    assertThat(run.records()).allMatch(r -> r.clientsOk() == 1 && r.clientsFailed() == 0);
  }

  @Test
  void aResultOlderThanTheBoundIsRefusedAndCounted() throws Exception {
    // as above with at most 1 version of staleness: b's result (2 versions old at t=2.6) is refused; b starts again
    // from v2 and finishes at 5.2, after the run. a makes every version: t=1, 2, 3, 4, 5.
    LocalFleet fleet = new LocalFleet(Executors.newFixedThreadPool(2))
        .add("a", FakeClientApp.adding(1, 10)).add("b", FakeClientApp.adding(1, 10));
    AsyncSettings s = settings().versions(5).concurrency(2).bufferSize(1).staleness(Staleness.polynomial(1))
        .maxStaleness(1).build();
    AsyncWorkflow workflow = new AsyncWorkflow(fleet, s, fixed(Map.of("a", 1.0, "b", 2.6)));

    RunSummary run = workflow.run(new FedAvg(), INITIAL, (r, m) -> { });

    assertThat(firstValue(run.finalModel())).isCloseTo(0.1 + 5, within(1e-5));
    assertThat(run.records()).extracting(r -> r.metrics().get("stale_refused").orElseThrow())
        .containsExactly(0.0, 0.0, 1.0, 0.0, 0.0);
    assertThat(workflow.refusedStale()).isEqualTo(1);
  }

  @Test
  void aBufferOfKAppliesTheMeanOfKUpdates() throws Exception {
    // clients add 1, 2 and 3 and all finish (by 1.8 s) before a could again (2 s): version 1 = initial + (1+2+3)/3
    LocalFleet fleet = new LocalFleet(Executors.newFixedThreadPool(3)).add("a", FakeClientApp.adding(1, 10))
        .add("b", FakeClientApp.adding(2, 20)).add("c", FakeClientApp.adding(3, 90));
    AsyncSettings s = settings().versions(1).concurrency(3).bufferSize(3).build();

    RunSummary run = new AsyncWorkflow(fleet, s, fixed(Map.of("a", 1.0, "b", 1.5, "c", 1.8)))
        .run(new FedAvg(), INITIAL, (r, m) -> { });

    assertThat(firstValue(run.finalModel())).isCloseTo(0.1 + 2, within(1e-5)); // unweighted by examples
    assertThat(run.records().get(0).clientsOk()).isEqualTo(3);
    assertThat(run.records().get(0).metrics().get("train_loss").orElseThrow()).isCloseTo(
        (1 * 10 + 2 * 20 + 3 * 90) / 120.0, within(1e-9));
  }

  @Test
  void aSimulatedRunRepeatsExactlyWhateverOrderThreadsFinishIn() throws Exception {
    List<List<String>> runs = new ArrayList<>();
    List<ModelWeights> models = new ArrayList<>();
    for (int attempt = 0; attempt < 2; attempt++) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      LocalFleet fleet = new LocalFleet(pool);
      Map<String, Double> times = new ConcurrentHashMap<>();
      for (int i = 0; i < 8; i++) {
        float delta = 0.1f * (i + 1);
        fleet.add("c" + i, FakeClientApp.training(ins -> {
          Thread.yield();
          return new TrainResult(TestModels.plus(ins.model(), delta), 10, Metrics.empty());
        }));
        times.put("c" + i, 1.0 + (i % 3) * 1.7);
      }
      AsyncSettings s = settings().versions(6).concurrency(4).bufferSize(2).staleness(Staleness.hinge(1, 1))
          .maxStaleness(2).build();
      RunSummary run = new AsyncWorkflow(fleet, s, fixed(times)).run(new FedAvg(), INITIAL, (r, m) -> { });
      pool.shutdownNow();
      runs.add(run.records().stream().map(r -> r.clientsOk() + " " + r.metrics().values()).toList());
      models.add(run.finalModel());
    }
    assertThat(runs.get(1)).isEqualTo(runs.get(0));
    assertThat(models.get(1).contentEquals(models.get(0))).isTrue();
  }

  @Test
  void aClientThatDisconnectsMidTrainingChangesOnlyTheFailureCount() throws Exception {
    // x disconnects during its task and leaves the fleet; a makes every version alone
    LocalFleet inner = new LocalFleet(Executors.newFixedThreadPool(2))
        .add("a", FakeClientApp.adding(1, 10)).add("x", FakeClientApp.adding(100, 10));
    inner.leave((id, m) -> id.equals("x"));
    Fleet fleet = inner;
    AsyncSettings s = settings().versions(3).concurrency(2).bufferSize(1).build();
    AsyncWorkflow workflow = new AsyncWorkflow(fleet, s);

    RunSummary run = workflow.run(new FedAvg(), INITIAL, (r, m) -> { });

    assertThat(firstValue(run.finalModel())).isCloseTo(0.1 + 3, within(1e-5));
    assertThat(run.records()).hasSize(3);
    assertThat(run.records().stream().mapToInt(RoundRecord::clientsFailed).sum()).isEqualTo(1);
    assertThat(workflow.failedResults()).isEqualTo(1);
  }

  @Test
  void realTimeRunsMakeEveryVersion() throws Exception {
    LocalFleet fleet = new LocalFleet(Executors.newFixedThreadPool(3));
    for (int i = 0; i < 5; i++) {
      fleet.add("c" + i, FakeClientApp.adding(1, 10));
    }
    AsyncSettings s = settings().versions(4).concurrency(3).bufferSize(2).evaluateInitial(true).build();

    RunSummary run = new AsyncWorkflow(fleet, s).run(new FedAvg(), INITIAL, (r, m) -> { });

    assertThat(run.records()).extracting(RoundRecord::round).containsExactly(0, 1, 2, 3, 4);
    assertThat(run.records().get(1).metrics().get("sim_seconds")).isEmpty();
    // every update is +1 but stale ones count fully (constant), so each version adds exactly 1
    assertThat(firstValue(run.finalModel())).isCloseTo(0.1 + 4, within(1e-5));
  }

  @Test
  void aSilentClientTimesOutIsCancelledAndOnlyCounted() throws Exception {
    // a's second task waits until the silent client's task has been cancelled at its 300 ms timeout
    CountDownLatch cancelled = new CountDownLatch(1);
    AtomicInteger aCalls = new AtomicInteger();
    LocalFleet inner = new LocalFleet(Executors.newFixedThreadPool(2))
        .add("a", FakeClientApp.training(ins -> {
          if (aCalls.incrementAndGet() == 2) {
            await(cancelled);
          }
          return new TrainResult(TestModels.plus(ins.model(), 1), 10, Metrics.empty());
        }))
        .add("silent", FakeClientApp.adding(100, 10));
    inner.stall((id, m) -> id.equals("silent"));
    inner.onCancel((id, m) -> cancelled.countDown());
    Fleet fleet = inner;
    AsyncSettings s = settings().versions(2).concurrency(2).bufferSize(1).taskTimeout(Duration.ofMillis(300)).build();
    AsyncWorkflow workflow = new AsyncWorkflow(fleet, s);

    RunSummary run = workflow.run(new FedAvg(), INITIAL, (r, m) -> { });

    assertThat(cancelled.getCount()).isZero();
    assertThat(firstValue(run.finalModel())).isCloseTo(0.1 + 2, within(1e-5));
    // The silent client may be handed a second task that also times out before the run ends (on a loaded
    // machine a's second task can outlast 300 ms): every timeout is counted, and only counted.
    assertThat(workflow.failedResults()).isGreaterThanOrEqualTo(1);
    assertThat(run.records().stream().mapToInt(RoundRecord::clientsFailed).sum())
        .isEqualTo(workflow.failedResults());
  }

  @Test
  void aWrongResultIsRejectedAndOnlyCounted() throws Exception {
    ModelWeights misShaped = ModelWeights.of(Tensor.zeros(new TensorSpec("w", new int[] {3, 2})), INITIAL.get(1));
    LocalFleet fleet = new LocalFleet(Executors.newFixedThreadPool(2)).add("a", FakeClientApp.adding(1, 10))
        .add("odd", FakeClientApp.returning(misShaped, 10));
    AsyncSettings s = settings().versions(3).concurrency(2).bufferSize(1).build();
    AsyncWorkflow workflow = new AsyncWorkflow(fleet, s, fixed(Map.of("a", 1.0, "odd", 0.5)));

    RunSummary run = workflow.run(new FedAvg(), INITIAL, (r, m) -> { });

    assertThat(firstValue(run.finalModel())).isCloseTo(0.1 + 3, within(1e-5));
    assertThat(workflow.failedResults()).isPositive();
    assertThat(run.records().get(0).clientsFailed()).isPositive(); // odd answers at 0.5 s, before a's first result
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aRunWhoseClientsAllFailEndsWithAnErrorInsteadOfSpinning() {
    LocalFleet fleet = new LocalFleet().add("a", FakeClientApp.throwing("no data"))
        .add("b", FakeClientApp.throwing("no data"));
    AsyncSettings s = settings().versions(2).concurrency(2).bufferSize(1).build();

    assertThatThrownBy(() -> new AsyncWorkflow(fleet, s).run(new FedAvg(), INITIAL, (r, m) -> { }))
        .hasMessageContaining("the last 101 tasks all failed").hasMessageContaining("no data")
        .hasMessageContaining("version 0 of 2");
  }

  @Test
  void strategiesThatNeedAWholeRoundOrTakeEncodedUpdatesAreRefused() {
    assertThatThrownBy(() -> AsyncWorkflow.checkSupported(new FedMedian(FedAvg.Settings.builder().build()), INITIAL))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FedMedian")
        .hasMessageContaining("every result of a round");
    FedAvg encoded = new FedAvg() {
      @Override
      public Optional<List<TensorSpec>> trainResultSpecs(ModelWeights global) {
        return Optional.empty();
      }
    };
    assertThatThrownBy(() -> AsyncWorkflow.checkSupported(encoded, INITIAL))
        .hasMessageContaining("compressed or masked");
  }
}
