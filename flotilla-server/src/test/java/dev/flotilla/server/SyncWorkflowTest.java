package dev.flotilla.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.client.FlotillaClient;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.ClientFailure.Kind;
import dev.flotilla.core.strategy.AggregateResult;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.ResultStream;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.strategy.Sampling;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.core.testing.FakeClientApp;
import dev.flotilla.core.testing.RecordingStrategy;
import dev.flotilla.core.testing.TestModels;
import dev.flotilla.transport.FrameMarshaller;
import dev.flotilla.workflow.RoundRecord;
import dev.flotilla.workflow.RunSummary;
import dev.flotilla.workflow.SyncSettings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SyncWorkflowTest {
  private static final ModelWeights INITIAL = TestModels.small();

  private static SyncSettings.Builder settings(int rounds, int clients) {
    return SyncSettings.builder().rounds(rounds).minClients(clients).minFitClients(1)
        .roundTimeout(Duration.ofSeconds(20)).evaluateInitial(false);
  }

  private static void assertModel(ModelWeights actual, ModelWeights base, double delta) {
    assertThat(actual.specs()).isEqualTo(base.specs());
    for (int t = 0; t < base.count(); t++) {
      for (int i = 0; i < base.get(t).size(); i++) {
        assertThat((double) actual.get(t).get(i)).as("tensor %d value %d", t, i)
            .isCloseTo(base.get(t).get(i) + delta, within(1e-6));
      }
    }
  }

  @Test
  void fedAvgThroughGrpcIsTheExampleWeightedMean() throws Exception {
    FedAvg fedAvg = new FedAvg(FedAvg.Settings.builder().evaluate(Sampling.all()).build());
    long[] examples = {10, 20, 70};
    double meanDelta = (10 * 1 + 20 * 2 + 70 * 3) / 100.0; // 2.6 per round
    try (TestFleet fleet = TestFleet.start(s -> s.uploadSlots(1))) {
      for (int i = 0; i < 3; i++) {
        fleet.client("c" + i, FakeClientApp.adding(i + 1, examples[i]));
      }
      RunSummary one = fleet.run(fedAvg, INITIAL, settings(1, 3).build());
      assertModel(one.finalModel(), INITIAL, meanDelta);
      RoundRecord r = one.records().get(0);
      assertThat(r.round()).isEqualTo(1);
      assertThat(r.clientsOk()).isEqualTo(3);
      assertThat(r.clientsFailed()).isZero();
      assertThat(r.fedLoss()).isCloseTo(meanDelta, within(1e-9));
      assertThat(r.fedAccuracy()).isCloseTo(0.5, within(1e-9));
      assertThat(r.accuracy()).isNull();
      assertThat(r.bytesUp()).isEqualTo(3 * INITIAL.byteSize());
      assertThat(r.bytesDown()).isEqualTo(2 * 3 * INITIAL.byteSize()); // training and evaluation
    }
    try (TestFleet fleet = TestFleet.start(s -> s.uploadSlots(1))) {
      for (int i = 0; i < 3; i++) {
        fleet.client("c" + i, FakeClientApp.adding(i + 1, examples[i]));
      }
      RunSummary two = fleet.run(fedAvg, INITIAL, settings(2, 3).evaluateInitial(true).build());
      assertModel(two.finalModel(), INITIAL, 2 * meanDelta);
      assertThat(two.records()).extracting(RoundRecord::round).containsExactly(0, 1, 2);
      assertThat(two.records().get(0).fedLoss()).isCloseTo(meanDelta, within(1e-9));
      fleet.awaitClientsFinished(Duration.ofSeconds(10));
    }
  }

  @Test
  void fedAvgFoldsUploadsWhereTheyArrivedAndGivesEveryBufferBack() throws Exception {
    ModelWeights model = TestModels.random(List.of(new TensorSpec("a", new int[] {50_001}),
        new TensorSpec("b", new int[] {7}), new TensorSpec("c", new int[] {70_000})), 3); // chunked: lent
    ModelWeights poisoned = TestModels.withValue(model, 2, 69_999, Float.NaN);
    List<ModelWeights> finals = new java.util.ArrayList<>();
    int before = FrameMarshaller.INSTANCE.lentFrames(); // the marshaller is the JVM's: other tests' frames count
    boolean[][] cases = {{true, true}, {false, true}, {true, false}}; // the strategy reads only while iterating,
    // the server lends
    for (boolean[] c : cases) {
      Peeking strategy = new Peeking(c[0]);
      try (TestFleet fleet = TestFleet.start(s -> s.uploadSlots(2).lendUploads(c[1]))) {
        for (int i = 0; i < 3; i++) {
          fleet.client("c" + i, FakeClientApp.adding(i + 1, 10L * (i + 1)));
        }
        fleet.client("nan", FakeClientApp.returning(poisoned, 5));
        RunSummary run = fleet.run(strategy, model, settings(2, 4).build());
        finals.add(run.finalModel());
        assertThat(run.records()).allSatisfy(r -> {
          assertThat(r.clientsOk()).isEqualTo(3);
          assertThat(r.clientsFailed()).as("the NaN upload, rejected whole").isEqualTo(1);
        });
      }
      boolean lent = c[0] && c[1];
      assertThat(strategy.sawLent).as("results lent: strategy %s, server %s", c[0], c[1]).isEqualTo(lent);
      if (lent) {
        assertThatThrownBy(() -> strategy.kept.get(0)).as("read after its reply was closed")
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("given back");
      }
      assertThat(FrameMarshaller.INSTANCE.lentFrames()).as("transport buffers still held").isEqualTo(before);
    }
    double delta = 2 * (10 * 1 + 20 * 2 + 30 * 3) / 60.0;
    for (ModelWeights f : finals) { // the same mean; bits may differ with the order in which uploads arrived
      for (int t = 0; t < model.count(); t++) {
        for (int i = 0; i < model.get(t).size(); i += 97) {
          assertThat((double) f.get(t).get(i)).isCloseTo(model.get(t).get(i) + delta, within(1e-5));
        }
      }
    }
  }

  /** FedAvg that notes whether its results arrived lent and keeps one tensor beyond the iteration (to test). */
  private static final class Peeking extends FedAvg {
    private final boolean lend;
    volatile boolean sawLent;
    volatile Tensor kept;

    Peeking(boolean lend) {
      this.lend = lend;
    }

    @Override
    public boolean readsResultArraysOnlyWhileIterating() {
      return lend;
    }

    @Override
    public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> results) {
      return super.aggregateTrain(ctx, global, results.map(r -> {
        Tensor c = r.result().weights().get(2);
        sawLent |= c.isLent();
        kept = c;
        return r;
      }));
    }
  }

  @Test
  void disconnectedClientFailsTheRoundForItselfOnly() throws Exception {
    RecordingStrategy strategy = new RecordingStrategy(new FedAvg());
    CountDownLatch training = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    FakeClientApp stuck = FakeClientApp.training(ins -> {
      training.countDown();
      await(release);
      return new TrainResult(ins.model(), 1, Metrics.empty());
    });
    try (TestFleet fleet = TestFleet.start(s -> s)) {
      fleet.client("a", FakeClientApp.adding(1, 10));
      fleet.client("b", FakeClientApp.adding(3, 10));
      FlotillaClient leaving = fleet.client("c", stuck);
      assertThat(fleet.server().registry().awaitClients(3, Duration.ofSeconds(10))).isTrue();
      Thread cut = new Thread(() -> {
        await(training);
        leaving.close();
      });
      cut.start();

      RunSummary summary = fleet.run(strategy, INITIAL, settings(2, 2).build());

      assertThat(summary.records().get(0).clientsOk()).isEqualTo(2);
      assertThat(summary.records().get(0).clientsFailed()).isEqualTo(1);
      assertThat(strategy.trainFailures().get(0)).singleElement().satisfies(f -> {
        assertThat(f.clientId()).isEqualTo("c");
        assertThat(f.kind()).isEqualTo(Kind.DISCONNECTED);
      });
      assertThat(summary.records().get(1).clientsOk()).isEqualTo(2);
      assertThat(summary.records().get(1).clientsFailed()).isZero();
      assertModel(summary.finalModel(), INITIAL, 2 * 2.0);
    } finally {
      release.countDown();
    }
  }

  @Test
  void invalidUpdatesAreRejectedAndTheGoodOnesAveraged() throws Exception {
    RecordingStrategy strategy = new RecordingStrategy(new FedAvg());
    ModelWeights misShaped = ModelWeights.of(List.of(Tensor.zeros(new TensorSpec("w", new int[] {3, 2})),
        INITIAL.get(1)));
    ModelWeights withNaN = TestModels.withValue(INITIAL, 0, 2, Float.NaN);
    try (TestFleet fleet = TestFleet.start(s -> s)) {
      fleet.client("good1", FakeClientApp.adding(1, 10));
      fleet.client("good2", FakeClientApp.adding(3, 30));
      fleet.client("shape", FakeClientApp.returning(misShaped, 50));
      fleet.client("nan", FakeClientApp.returning(withNaN, 50));

      RunSummary summary = fleet.run(strategy, INITIAL, settings(2, 4).minFitClients(2).build());

      assertModel(summary.finalModel(), INITIAL, 2 * (10 * 1 + 30 * 3) / 40.0);
      assertThat(summary.records()).extracting(RoundRecord::clientsFailed).containsExactly(2, 2);
      List<ClientFailure> failures = strategy.trainFailures().get(0);
      assertThat(failures).extracting(ClientFailure::kind).containsOnly(Kind.REJECTED);
      assertThat(failures).anySatisfy(f -> {
        assertThat(f.clientId()).isEqualTo("shape");
        // refused from its header, before any memory was allocated for it
        assertThat(f.reason()).contains("declared w[3, 2], its request allows w[2, 3]");
      });
      assertThat(failures).anySatisfy(f -> {
        assertThat(f.clientId()).isEqualTo("nan");
        assertThat(f.reason()).contains("non-finite value (NaN) at index 2");
      });
    }
  }

  @Test
  void clientWhoseAppThrowsIsAClientError() throws Exception {
    RecordingStrategy strategy = new RecordingStrategy(new FedAvg());
    try (TestFleet fleet = TestFleet.start(s -> s)) {
      fleet.client("ok", FakeClientApp.adding(1, 10));
      fleet.client("broken", FakeClientApp.throwing("out of disk"));

      RunSummary summary = fleet.run(strategy, INITIAL, settings(2, 2).build());

      assertModel(summary.finalModel(), INITIAL, 2.0);
      assertThat(strategy.trainFailures()).allSatisfy(round -> assertThat(round).singleElement().satisfies(f -> {
        assertThat(f.kind()).isEqualTo(Kind.CLIENT_ERROR);
        assertThat(f.reason()).contains("out of disk");
      }));
    }
  }

  @Test
  void slowClientTimesOutAndTooFewResultsKeepTheModel() throws Exception {
    RecordingStrategy strategy = new RecordingStrategy(new FedAvg());
    CountDownLatch release = new CountDownLatch(1);
    try (TestFleet fleet = TestFleet.start(s -> s)) {
      fleet.client("fast", FakeClientApp.adding(1, 10));
      fleet.client("slow", FakeClientApp.training(ins -> {
        await(release);
        return new TrainResult(ins.model(), 1, Metrics.empty());
      }));

      RunSummary summary = fleet.run(strategy, INITIAL,
          settings(1, 2).minFitClients(2).roundTimeout(Duration.ofSeconds(3)).build());

      assertThat(summary.finalModel().contentEquals(INITIAL)).isTrue();
      assertThat(summary.records().get(0).clientsOk()).isEqualTo(1);
      assertThat(summary.records().get(0).clientsFailed()).isEqualTo(1);
      assertThat(summary.records().get(0).seconds()).isGreaterThanOrEqualTo(3.0);
      assertThat(strategy.trainFailures().get(0)).singleElement().satisfies(f -> {
        assertThat(f.clientId()).isEqualTo("slow");
        assertThat(f.kind()).isEqualTo(Kind.TIMEOUT);
      });
    } finally {
      release.countDown();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
