package dev.flotilla.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.message.Metadata;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.AggregateResult;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.core.strategy.ClientTask;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.ResultStream;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.strategy.Sampling;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.testing.FakeClientApp;
import dev.flotilla.core.testing.TestModels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The round loop over an in-process fleet: what reaches the record, the strategy's check, request metadata. */
class SyncWorkflowTest {
  private static final ModelWeights INITIAL = TestModels.small();

  private static SyncSettings settings(int rounds) {
    return SyncSettings.builder().rounds(rounds).minClients(1).minFitClients(1).roundTimeout(Duration.ofSeconds(5))
        .seed(3).evaluateInitial(false).build();
  }

  @Test
  void clientTrainMetricsAreAveragedByExamplesAndStrategyMetricsRecorded() throws Exception {
    LocalFleet fleet = new LocalFleet()
        .add("a", FakeClientApp.training(ins -> new TrainResult(ins.model(), 10, Metrics.of("train_loss", 1.0))))
        .add("b", FakeClientApp.training(ins -> new TrainResult(ins.model(), 30,
            Metrics.of("train_loss", 3.0, "local_only", 7.0))));
    FedAvg withMetrics = new FedAvg() {
      @Override
      public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> r) {
        return super.aggregateTrain(ctx, global, r).withMetrics(Metrics.of("server_lr", 0.5));
      }
    };

    RunSummary run = new SyncWorkflow(fleet, settings(1)).run(withMetrics, INITIAL, (record, model) -> { });

    Metrics m = run.records().get(0).metrics();
    // (10 * 1 + 30 * 3) / 40 = 2.5; a metric only one client reports is that client's value
    assertThat(m.get("train_loss")).hasValue(2.5);
    assertThat(m.get("local_only")).hasValue(7.0);
    assertThat(m.get("server_lr")).hasValue(0.5);
  }

  @Test
  void aResultTheStrategyRefusesIsRejectedAndNotAggregated() throws Exception {
    LocalFleet fleet = new LocalFleet()
        .add("good", FakeClientApp.adding(1, 10))
        .add("odd", FakeClientApp.adding(100, 10));
    FedAvg picky = new FedAvg() {
      @Override
      public Optional<String> checkTrainResult(ModelWeights global, TrainResult result) {
        return result.weights().get(0).get(0) > global.get(0).get(0) + 50 ? Optional.of("moved too far")
            : super.checkTrainResult(global, result);
      }
    };

    RunSummary run = new SyncWorkflow(fleet, settings(1)).run(picky, INITIAL, (record, model) -> { });

    assertThat(run.records().get(0).clientsOk()).isEqualTo(1);
    assertThat(run.records().get(0).clientsFailed()).isEqualTo(1);
    assertThat(run.finalModel().contentEquals(TestModels.plus(INITIAL, 1))).isTrue();
  }

  @Test
  void requestsCarryTheRoundAsGroupTheModelVersionAndADeadline() throws Exception {
    List<Metadata> seen = new ArrayList<>();
    LocalFleet fleet = new LocalFleet().add("a", FakeClientApp.adding(1, 10), (message, context, next) -> {
      seen.add(message.metadata());
      return next.handle(message, context);
    });
    long before = System.currentTimeMillis();

    new SyncWorkflow(fleet, settings(2)).run(new FedAvg(), INITIAL, (record, model) -> { });

    assertThat(seen).extracting(Metadata::group).containsExactly("1/train", "2/train");
    assertThat(seen).extracting(Metadata::modelVersion).containsExactly(0L, 1L);
    assertThat(seen).allSatisfy(md -> assertThat(md.deadlineMillis()).isGreaterThanOrEqualTo(before + 5_000));
  }

  @Test
  void anErrorReplyIsAClientErrorNamingItsCode() throws Exception {
    LocalFleet fleet = new LocalFleet()
        .add("ok", FakeClientApp.adding(1, 10))
        .add("refusing", FakeClientApp.adding(1, 10),
            (message, context, next) -> Message.error(MessageError.Code.REFUSED,
                "budget spent"));
    List<String> reasons = new ArrayList<>();
    FedAvg recording = new FedAvg() {
      @Override
      public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> r) {
        AggregateResult out = super.aggregateTrain(ctx, global, r);
        r.failures().forEach(f -> reasons.add(f.kind() + " " + f.reason()));
        return out;
      }
    };

    new SyncWorkflow(fleet, settings(1)).run(recording, INITIAL, (record, model) -> { });

    assertThat(reasons).containsExactly("CLIENT_ERROR REFUSED: budget spent");
  }
  @Test
  void aRoundsCentralEvaluationRunsWhileTheNextRoundTrainsAndItsRecordComesFirst() throws Exception {
    long step = 400; // ms of training per round, and of central evaluation per round
    Map<Integer, long[]> training = new ConcurrentHashMap<>(); // round -> {start, end} in ms
    Map<Integer, long[]> evaluation = new ConcurrentHashMap<>();
    ExecutorService clientThreads = Executors.newFixedThreadPool(2);
    try {
      LocalFleet fleet = new LocalFleet(clientThreads);
      for (String id : List.of("a", "b")) {
        fleet.add(id, FakeClientApp.training(ins -> {
          long start = System.currentTimeMillis();
          sleep(step);
          training.merge((int) ins.config().getLong("round", -1), new long[] {start, System.currentTimeMillis()},
              (x, y) -> new long[] {Math.min(x[0], y[0]), Math.max(x[1], y[1])});
          return new TrainResult(TestModels.plus(ins.model(), 1), 10, Metrics.empty());
        }));
      }
      AtomicInteger evaluated = new AtomicInteger();
      FedAvg strategy = new FedAvg(FedAvg.Settings.builder().centralEvaluator(model -> {
        long start = System.currentTimeMillis();
        sleep(step);
        evaluation.put(evaluated.getAndIncrement(), new long[] {start, System.currentTimeMillis()});
        return new EvaluateResult(0, 1, Metrics.of("accuracy", model.get(0).get(0)));
      }).build());
      List<RoundRecord> heard = new ArrayList<>();
      List<ModelWeights> models = new ArrayList<>();
      SyncSettings sync = SyncSettings.builder().rounds(3).minClients(2).roundTimeout(Duration.ofSeconds(10))
          .evaluateInitial(true).build();
      long start = System.nanoTime();

      RunSummary run = new SyncWorkflow(fleet, sync).run(strategy, INITIAL, (record, model) -> {
        heard.add(record);
        models.add(model);
      });

      double wall = (System.nanoTime() - start) / 1e9;
      assertThat(heard).extracting(RoundRecord::round).containsExactly(0, 1, 2, 3);
      assertThat(run.records()).isEqualTo(heard);
      for (int r = 0; r <= 3; r++) {
        ModelWeights expected = r == 0 ? INITIAL : TestModels.plus(models.get(r - 1), 1);
        assertThat(models.get(r).contentEquals(expected)).as("model of round %d", r).isTrue();
        assertThat(heard.get(r).accuracy()).as("accuracy of round %d", r).isEqualTo((double) expected.get(0).get(0));
      }
      for (int r = 0; r < 3; r++) { // evaluation r and training r + 1 overlap
        assertThat(evaluation.get(r)[0]).isLessThan(training.get(r + 1)[1]);
        assertThat(training.get(r + 1)[0]).isLessThan(evaluation.get(r)[1]);
      }
      // 3 trainings and 4 evaluations in a row would take 7 steps; overlapped they take about 4
      assertThat(wall).isLessThan(6 * step / 1000.0);
      double seconds = heard.stream().mapToDouble(RoundRecord::seconds).sum();
      assertThat(seconds).isBetween(wall - 0.5, wall);
    } finally {
      clientThreads.shutdownNow();
    }
  }

  @Test
  void theStrategyIsCalledFromOneThreadWithCentralEvaluationBetweenTheNextRoundsRequestsAndItsAggregation()
      throws Exception {
    LocalFleet fleet = new LocalFleet().add("a", FakeClientApp.adding(1, 10));
    List<String> calls = new ArrayList<>();
    Thread workflow = Thread.currentThread();
    FedAvg strategy = new FedAvg(FedAvg.Settings.builder().evaluate(Sampling.all()).build()) {
      @Override
      public List<ClientTask<EvaluateInstructions>> configureEvaluate(RoundContext ctx, ModelWeights global,
          List<ClientInfo> available) {
        calls.add("configureEvaluate " + ctx.round() + (Thread.currentThread() == workflow ? "" : " elsewhere"));
        return super.configureEvaluate(ctx, global, available);
      }

      @Override
      public List<ClientTask<TrainInstructions>> configureTrain(RoundContext ctx, ModelWeights global,
          List<ClientInfo> available) {
        calls.add("configureTrain " + ctx.round() + (Thread.currentThread() == workflow ? "" : " elsewhere"));
        return super.configureTrain(ctx, global, available);
      }

      @Override
      public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> r) {
        calls.add("aggregateTrain " + ctx.round() + (Thread.currentThread() == workflow ? "" : " elsewhere"));
        return super.aggregateTrain(ctx, global, r);
      }

      @Override
      public Optional<EvaluateResult> evaluate(RoundContext ctx, ModelWeights global) {
        calls.add("evaluate " + ctx.round() + (Thread.currentThread() == workflow ? "" : " elsewhere"));
        return Optional.empty();
      }
    };
    SyncSettings sync = SyncSettings.builder().rounds(2).minClients(1).evaluateInitial(true).build();

    new SyncWorkflow(fleet, sync).run(strategy, INITIAL, (record, model) -> calls.add("record " + record.round()));

    assertThat(calls).containsExactly("configureEvaluate 0", "configureTrain 1", "evaluate 0", "record 0",
        "aggregateTrain 1", "configureEvaluate 1", "configureTrain 2", "evaluate 1", "record 1", "aggregateTrain 2",
        "configureEvaluate 2", "evaluate 2", "record 2");
  }

  @Test
  void maxConcurrentFitCapsHowManyClientsTrainAtOnce() throws Exception {
    AtomicInteger training = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    ExecutorService clientThreads = Executors.newFixedThreadPool(5);
    try {
      LocalFleet fleet = new LocalFleet(clientThreads);
      for (int i = 0; i < 5; i++) {
        fleet.add("c" + i, FakeClientApp.training(ins -> {
          most.accumulateAndGet(training.incrementAndGet(), Math::max);
          sleep(50);
          training.decrementAndGet();
          return new TrainResult(ins.model(), 10, Metrics.empty());
        }));
      }
      SyncSettings sync = SyncSettings.builder().rounds(2).minClients(5).evaluateInitial(false).maxConcurrentFit(2)
          .build();

      RunSummary run = new SyncWorkflow(fleet, sync).run(new FedAvg(), INITIAL, (record, model) -> { });

      assertThat(run.records()).extracting(RoundRecord::clientsOk).containsExactly(5, 5);
      assertThat(most).hasValue(2);
    } finally {
      clientThreads.shutdownNow();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
