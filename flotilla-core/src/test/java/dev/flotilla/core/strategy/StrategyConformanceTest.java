package dev.flotilla.core.strategy;

import static dev.flotilla.core.testing.TrainRounds.failuresOnly;
import static dev.flotilla.core.testing.TrainRounds.round;
import static dev.flotilla.core.testing.TrainRounds.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.tensor.BufferLoan;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.core.testing.TestModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What every strategy that {@link Strategies} builds must do, run against each name. */
class StrategyConformanceTest {
  // momentum so that FedAvgM's state matters; f = 1 so that the Byzantine bounds are exercised (n = 7 ≥ 4f + 3)
  private static final StrategyOptions OPTIONS = StrategyOptions.builder().serverMomentum(0.9).byzantineF(1).build();
  private static final int CLIENTS = 7;
  private static final ModelWeights GLOBAL = TestModels.small();
  private static final Set<String> BYZANTINE_BOUNDED = Set.of("krum", "multi-krum", "bulyan");
  private static final Set<String> ONE_RESULT_IS_THE_MODEL = Set.of("fedavg", "fedprox", "fedmedian", "trimmed-mean");
  private static final Set<String> RESERVED = Set.of("round", "accuracy", "loss", "fed_accuracy", "fed_loss",
      "clients_ok", "clients_failed", "seconds", "bytes_up", "bytes_down");

  static List<String> names() {
    return Strategies.names();
  }

  private static Strategy create(String name) {
    return Strategies.create(name, OPTIONS, FedAvg.Settings.builder().build());
  }

  /** {@code n} results of random models, each with examples and a {@code train_loss}, different per round. */
  private static List<ClientResult<TrainResult>> results(int round, int n, long examples) {
    return IntStream.range(0, n).mapToObj(k -> new ClientResult<>("c" + k, new TrainResult(
        TestModels.random(GLOBAL.specs(), 1000L * round + k), examples, Metrics.of("train_loss", 0.5 + 0.1 * k))))
        .toList();
  }

  @ParameterizedTest
  @MethodSource("names")
  void aStrategyThatReadsResultsOnlyWhileIteratingAggregatesLentResultsAsCopies(String name) {
    Set<String> folding = Set.of("fedavg", "fedprox", "fedavgm", "fedadagrad", "fedadam", "fedyogi");
    assertThat(create(name).readsResultArraysOnlyWhileIterating()).as(name).isEqualTo(folding.contains(name));
    if (!folding.contains(name)) {
      return;
    }
    Strategy copies = create(name);
    Strategy lent = create(name);
    for (int r = 1; r <= 2; r++) { // two rounds: server state (momentum, moments) must come out the same
      List<ClientResult<TrainResult>> results = results(r, CLIENTS, 10);
      ModelWeights expected = copies.aggregateTrain(round(r), GLOBAL, stream(results)).model().orElseThrow();
      ModelWeights got = lent.aggregateTrain(round(r), GLOBAL, lentStream(results)).model().orElseThrow();
      assertThat(got.contentEquals(expected)).as("%s, round %d", name, r).isTrue();
    }
  }

  /**
   * {@code results} with their arrays lent, each loan given back as the iteration moves past its result (as a
   * server's reply stream does), so that a strategy that read a result's arrays later would fail.
   */
  private static ResultStream<TrainResult> lentStream(List<ClientResult<TrainResult>> results) {
    return new ResultStream<>() {
      @Override
      public List<ClientFailure> failures() {
        return List.of();
      }

      @Override
      public java.util.Iterator<ClientResult<TrainResult>> iterator() {
        return new java.util.Iterator<>() {
          private int next;
          private BufferLoan held;

          @Override
          public boolean hasNext() {
            if (held != null) {
              held.giveBack();
              held = null;
            }
            return next < results.size();
          }

          @Override
          public ClientResult<TrainResult> next() {
            ClientResult<TrainResult> r = results.get(next++);
            held = new BufferLoan(() -> { });
            List<Tensor> tensors = new ArrayList<>();
            for (Tensor t : r.result().weights().tensors()) {
              tensors.add(Tensor.lent(t.spec(), List.of(java.nio.ByteBuffer.wrap(t.toByteArray())), -2, held));
            }
            return new ClientResult<>(r.clientId(), new TrainResult(ModelWeights.of(tensors),
                r.result().numExamples(), r.result().metrics()));
          }
        };
      }
    };
  }

  @ParameterizedTest
  @MethodSource("names")
  void noResultsMeansNoModel(String name) {
    AggregateResult out = create(name).aggregateTrain(round(1), GLOBAL, stream(List.of()));
    assertThat(out.model()).isEmpty();
    assertThat(out.metrics().get(StrategyMetrics.RESULTS_USED)).hasValue(0);
  }

  @ParameterizedTest
  @MethodSource("names")
  void failuresOnlyMeanNoModel(String name) {
    assertThat(create(name).aggregateTrain(round(1), GLOBAL, failuresOnly("a", "b")).model()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("names")
  void oneResult(String name) {
    List<ClientResult<TrainResult>> one = results(1, 1, 10);
    AggregateResult out = create(name).aggregateTrain(round(1), GLOBAL, stream(one));
    if (BYZANTINE_BOUNDED.contains(name)) {
      assertThat(out.model()).isEmpty(); // one result cannot satisfy the bound for f = 1
      assertThat(out.metrics().get(StrategyMetrics.AGGREGATION_SKIPPED)).hasValue(1);
      return;
    }
    ModelWeights model = out.model().orElseThrow();
    assertThat(model.specs()).isEqualTo(GLOBAL.specs());
    assertThat(model.tensors()).allSatisfy(t -> assertThat(t.firstNonFinite()).isEqualTo(-1));
    if (ONE_RESULT_IS_THE_MODEL.contains(name)) {
      assertThat(model.contentEquals(one.get(0).result().weights())).isTrue();
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void zeroExampleResultsCountOnlyForRobustAggregators(String name) {
    Strategy strategy = create(name);
    AggregateResult out = strategy.aggregateTrain(round(1), GLOBAL, stream(results(1, CLIENTS, 0)));
    // averaging strategies weigh by examples and skip such results; robust ones count every result once
    assertThat(out.model().isPresent()).isEqualTo(strategy.needsAllResults());
  }

  @ParameterizedTest
  @MethodSource("names")
  void mismatchedShapesAreRejectedAndFailAggregationNamingTheTensor(String name) {
    Strategy strategy = create(name);
    List<ClientResult<TrainResult>> rs = new ArrayList<>(results(1, CLIENTS, 10));
    TrainResult good = rs.get(3).result();
    ModelWeights wrong = ModelWeights.of(Tensor.wrap(new TensorSpec("w", new int[] {3, 2}), new float[6]),
        good.weights().get(1));
    rs.set(3, new ClientResult<>("c3", new TrainResult(wrong, 10, good.metrics())));

    assertThat(strategy.checkTrainResult(GLOBAL, rs.get(3).result())).hasValueSatisfying(p ->
        assertThat(p).contains("w[3, 2]"));
    assertThatThrownBy(() -> strategy.aggregateTrain(round(1), GLOBAL, stream(rs)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("w[3, 2]");
  }

  @ParameterizedTest
  @MethodSource("names")
  void theSpecsItDemandsBeforeReceivingAreTheOnesItsCheckAccepts(String name) {
    Strategy strategy = create(name);
    strategy.trainResultSpecs(GLOBAL).ifPresent(specs -> {
      List<Tensor> tensors = specs.stream().map(Tensor::zeros).toList();
      TrainResult fitting = new TrainResult(ModelWeights.of(tensors), 5, Metrics.of("train_loss", 0.5));
      assertThat(strategy.checkTrainResult(GLOBAL, fitting)).isEmpty();
    });
  }

  @ParameterizedTest
  @MethodSource("names")
  void restoredStateMakesTheSameNextRound(String name) {
    Strategy a = create(name);
    ModelWeights afterRound1 = a.aggregateTrain(round(1), GLOBAL, stream(results(1, CLIENTS, 10))).model()
        .orElseThrow();
    StrategyState saved = a.state();
    Strategy b = create(name);
    b.restore(saved);

    ModelWeights fromA = a.aggregateTrain(round(2), afterRound1, stream(results(2, CLIENTS, 10))).model()
        .orElseThrow();
    ModelWeights fromB = b.aggregateTrain(round(2), afterRound1, stream(results(2, CLIENTS, 10))).model()
        .orElseThrow();
    assertThat(fromB.contentEquals(fromA)).as("round 2 after restore").isTrue();
    assertThat(b.state().scalars()).isEqualTo(a.state().scalars());
    assertThat(b.state().arrays().contentEquals(a.state().arrays())).isTrue();

    if (!saved.isEmpty()) { // the state matters: without it round 2 differs
      ModelWeights fresh = create(name).aggregateTrain(round(2), afterRound1, stream(results(2, CLIENTS, 10)))
          .model().orElseThrow();
      assertThat(fresh.contentEquals(fromA)).as("round 2 without the state").isFalse();
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void refusesTheStateOfAnotherStrategy(String name) {
    String other = name.equals("fedadam") ? "fedavgm" : "fedadam";
    Strategy donor = create(other);
    donor.aggregateTrain(round(1), GLOBAL, stream(results(1, CLIENTS, 10)));
    assertThatThrownBy(() -> create(name).restore(donor.state())).isInstanceOf(IllegalArgumentException.class);
    create(name).restore(StrategyState.empty()); // an empty state is always accepted
  }

  @ParameterizedTest
  @MethodSource("names")
  void metricsAreSnakeCaseAndLeaveTheServersNamesAlone(String name) {
    Strategy strategy = create(name);
    List<String> names = new ArrayList<>();
    names.addAll(strategy.aggregateTrain(round(1), GLOBAL, stream(results(1, CLIENTS, 10))).metrics().values()
        .keySet());
    names.addAll(strategy.aggregateTrain(round(2), GLOBAL, stream(results(2, 1, 10))).metrics().values().keySet());
    assertThat(names).contains(StrategyMetrics.RESULTS_USED);
    assertThat(names).allSatisfy(n -> {
      assertThat(n).matches("[a-z][a-z0-9]*(_[a-z0-9]+)*");
      assertThat(RESERVED).doesNotContain(n);
    });
  }

  @ParameterizedTest
  @MethodSource("names")
  void validationAcceptsEnoughClientsAndExplainsTooFewInOneLine(String name) {
    Strategies.validate(name, OPTIONS, CLIENTS);
    if (BYZANTINE_BOUNDED.contains(name)) {
      assertThatThrownBy(() -> Strategies.validate(name, OPTIONS, 3))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(name + " with 3 clients per round: ")
          .hasMessageContaining("f = 1")
          .hasMessageNotContaining("\n");
    } else {
      Strategies.validate(name, OPTIONS, 1);
    }
  }
}
