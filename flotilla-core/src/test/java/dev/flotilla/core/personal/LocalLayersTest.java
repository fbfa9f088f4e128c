package dev.flotilla.core.personal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.AggregateResult;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.core.strategy.ClientResult;
import dev.flotilla.core.strategy.ClientTask;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.ResultStream;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.strategy.Sampling;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.strategy.StrategyState;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LocalLayersTest {
  private static final RoundContext ROUND = new RoundContext(1, 3, 7);
  private static final List<ClientInfo> CLIENTS = List.of(new ClientInfo("a", Config.empty()),
      new ClientInfo("b", Config.empty()));

  /** A model of a shared {@code body[2]} and a local {@code head[1]}. */
  private static ModelWeights model(float body0, float body1, float head) {
    return ModelWeights.of(Tensor.of("body", new int[] {2}, new float[] {body0, body1}),
        Tensor.of("head", new int[] {1}, new float[] {head}));
  }

  private static ModelWeights body(float body0, float body1) {
    return ModelWeights.of(Tensor.of("body", new int[] {2}, new float[] {body0, body1}));
  }

  private static TrainResult result(ModelWeights weights, long examples) {
    return new TrainResult(weights, examples, Metrics.empty());
  }

  private static ResultStream<TrainResult> stream(TrainResult... results) {
    List<ClientResult<TrainResult>> list = new ArrayList<>();
    for (int i = 0; i < results.length; i++) {
      list.add(new ClientResult<>("c" + i, results[i]));
    }
    return ResultStream.of(list, List.of());
  }

  @Test
  void sharedLayersAreAveragedAndTheLocalLayerIsKeptFromGlobal() {
    LocalLayers strategy = new LocalLayers(new FedAvg(), "head");
    ResultStream<TrainResult> results = stream(result(body(1, 2), 10), result(body(3, 6), 30));

    ModelWeights next = strategy.aggregateTrain(ROUND, model(0, 0, 5), results).model().orElseThrow();

    // body: (10 * [1, 2] + 30 * [3, 6]) / 40 = [2.5, 5]; head never averaged, still the global 5
    assertThat(next.names()).containsExactly("body", "head");
    assertThat(next.get("body").toArray()).containsExactly(2.5f, 5f);
    assertThat(next.get("head").toArray()).containsExactly(5f);
  }

  @Test
  void theInnerStrategySeesOnlySharedLayersAndItsMetricsPassThrough() {
    List<ModelWeights> seen = new ArrayList<>();
    Strategy inner = new StubStrategy() {
      @Override
      public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> r) {
        seen.add(global);
        return AggregateResult.of(body(9, 9)).withMetrics(Metrics.of("server_lr", 0.5));
      }
    };
    AggregateResult out = new LocalLayers(inner, "head").aggregateTrain(ROUND, model(0, 0, 5),
        stream(result(body(1, 1), 1)));

    assertThat(seen).singleElement().satisfies(g -> assertThat(g.names()).containsExactly("body"));
    assertThat(out.metrics()).isEqualTo(Metrics.of("server_lr", 0.5));
    assertThat(out.model().orElseThrow().contentEquals(model(9, 9, 5))).isTrue();
  }

  @Test
  void noNewSharedModelKeepsTheGlobalOne() {
    AggregateResult out = new LocalLayers(new FedAvg(), "head").aggregateTrain(ROUND, model(0, 0, 5), stream());
    assertThat(out.model()).isEmpty();
  }

  @Test
  void anInnerResultWithALocalLayerIsABug() {
    Strategy inner = new StubStrategy() {
      @Override
      public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> r) {
        return AggregateResult.of(model(1, 1, 1));
      }
    };
    assertThatThrownBy(() -> new LocalLayers(inner, "head").aggregateTrain(ROUND, model(0, 0, 5), stream()))
        .isInstanceOf(FlotillaException.class)
        .hasMessageContaining("'head'");
  }

  @Test
  void configureTrainSendsTheWholeModelAndNamesTheLocalLayers() {
    FedAvg fedAvg = new FedAvg(FedAvg.Settings.builder().trainConfig(Config.of("lr", 0.1)).build());
    ModelWeights global = model(1, 2, 3);

    List<ClientTask<TrainInstructions>> tasks = new LocalLayers(fedAvg, "head|tail").configureTrain(ROUND, global,
        CLIENTS);

    assertThat(tasks).extracting(ClientTask::clientId).containsExactly("a", "b");
    for (ClientTask<TrainInstructions> t : tasks) {
      assertThat(t.instructions().model()).isSameAs(global);
      assertThat(t.instructions().config().getString(LocalLayers.CONFIG_KEY, null)).isEqualTo("head|tail");
      assertThat(t.instructions().config().getDouble("lr", 0)).isEqualTo(0.1);
      assertThat(t.instructions().config().getInt("round", 0)).isEqualTo(1);
    }
  }

  @Test
  void configureEvaluateNamesTheLocalLayers() {
    FedAvg fedAvg = new FedAvg(FedAvg.Settings.builder().evaluate(Sampling.all()).build());

    List<ClientTask<EvaluateInstructions>> tasks = new LocalLayers(fedAvg, "head").configureEvaluate(ROUND,
        model(1, 2, 3), CLIENTS);

    assertThat(tasks).hasSize(2).allSatisfy(t -> assertThat(
        t.instructions().config().getString(LocalLayers.CONFIG_KEY, null)).isEqualTo("head"));
  }

  @Test
  void acceptsExactlyTheSharedLayers() {
    LocalLayers strategy = new LocalLayers(new FedAvg(), "head");
    ModelWeights global = model(0, 0, 5);

    assertThat(strategy.checkTrainResult(global, result(body(1, 2), 1))).isEmpty();
    assertThat(strategy.checkTrainResult(global, result(model(1, 2, 3), 1)))
        .hasValueSatisfying(p -> assertThat(p).contains("'head'").contains("local layer"));
    assertThat(strategy.checkTrainResult(global, result(ModelWeights.of(
        Tensor.of("head", new int[] {1}, new float[] {1})), 1))).isPresent();
    assertThat(strategy.checkTrainResult(global, result(ModelWeights.empty(), 1)))
        .hasValueSatisfying(p -> assertThat(p).contains("body"));
    assertThat(strategy.checkTrainResult(global, result(ModelWeights.of(
        Tensor.of("body", new int[] {3}, new float[] {1, 2, 3})), 1))).isPresent();
    assertThat(strategy.checkTrainResult(global, result(body(1, Float.NaN), 1)))
        .hasValueSatisfying(p -> assertThat(p).contains("non-finite"));
  }

  @Test
  void demandsTheSharedLayersBeforeAResultIsReceived() {
    LocalLayers strategy = new LocalLayers(new FedAvg(), "head");
    ModelWeights global = model(0, 0, 5);

    assertThat(strategy.trainResultSpecs(global)).hasValue(body(1, 2).specs());
  }

  @Test
  void aRegexThatMatchesEveryLayerOrNoneIsAnErrorNamingIt() {
    assertThatThrownBy(() -> new LocalLayers(new FedAvg(), "body|head").configureTrain(ROUND, model(0, 0, 0),
        CLIENTS)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'body|head'").hasMessageContaining("every layer");
    assertThatThrownBy(() -> new LocalLayers(new FedAvg(), "hea").configureTrain(ROUND, model(0, 0, 0), CLIENTS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'hea'").hasMessageContaining("no layer");
    assertThatThrownBy(() -> new LocalLayers(new FedAvg(), ".*").configureEvaluate(ROUND, model(0, 0, 0), CLIENTS))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'.*'");
  }

  @Test
  void anInvalidRegexIsRejectedAtConstruction() {
    assertThatThrownBy(() -> new LocalLayers(new FedAvg(), "head[")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'head['");
    assertThatThrownBy(() -> new LocalLayers(new FedAvg(), "")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void stateSamplingAndEvaluationAreTheInnerStrategys() {
    StrategyState saved = new StrategyState(Config.of("step", 3), ModelWeights.empty());
    List<StrategyState> restored = new ArrayList<>();
    Strategy inner = new StubStrategy() {
      @Override
      public boolean needsAllResults() {
        return true;
      }

      @Override
      public StrategyState state() {
        return saved;
      }

      @Override
      public void restore(StrategyState state) {
        restored.add(state);
      }

      @Override
      public Optional<EvaluateResult> evaluate(RoundContext ctx, ModelWeights global) {
        return Optional.of(new EvaluateResult(global.numParameters(), 1, Metrics.empty()));
      }
    };
    LocalLayers strategy = new LocalLayers(inner, "head");

    assertThat(strategy.needsAllResults()).isTrue();
    assertThat(strategy.state()).isSameAs(saved);
    strategy.restore(saved);
    assertThat(restored).containsExactly(saved);
    // central evaluation gets the whole model: 3 parameters
    assertThat(strategy.evaluate(ROUND, model(0, 0, 0)).orElseThrow().loss()).isEqualTo(3.0);
  }

  /** A strategy that trains nobody; tests override what they look at. */
  private static class StubStrategy implements Strategy {
    @Override
    public List<ClientTask<TrainInstructions>> configureTrain(RoundContext ctx, ModelWeights global,
        List<ClientInfo> available) {
      return List.of();
    }

    @Override
    public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> results) {
      return AggregateResult.none();
    }
  }
}
