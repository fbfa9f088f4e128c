package dev.flotilla.core.strategy;

import dev.flotilla.core.aggregate.WeightedMean;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Federated averaging with server momentum (Hsu, Qi and Brown, "Measuring the Effects of Non-Identical Data
 * Distribution for Federated Visual Classification", 2019). The server treats {@code d = global − mean}, the
 * example-weighted mean of the client models as in {@link FedAvg}, as a gradient and takes an SGD step with
 * momentum: {@code v ← β v + d}, {@code new = global − η v}.
 *
 * <p>Defaults follow Flower: {@code η = 1}, {@code β = 0}, which is exactly FedAvg. Hsu et al. find the best
 * results when the effective learning rate {@code η / (1 − β)} is near 1, for example {@code η = 0.1, β = 0.9}.
 *
 * <p>State: the momentum buffer {@code v}, saved as arrays {@code momentum/<tensor>}; it starts at zero. Results
 * are folded as they arrive (memory: the mean and the buffer); results with 0 examples are skipped.
 */
public class FedAvgM extends FedAvg {
  /** Flower's default server learning rate. */
  public static final double DEFAULT_SERVER_LR = 1.0;
  /** Flower's default momentum: none. */
  public static final double DEFAULT_MOMENTUM = 0.0;
  private static final String KIND = "fedavgm";
  private static final String BUFFER = "momentum";

  private final double serverLr;
  private final double momentum;
  private ModelWeights velocity; // null until the first step

  /**
   * @param serverLr η, positive
   * @param momentum β, in [0, 1)
   */
  public FedAvgM(Settings settings, double serverLr, double momentum) {
    super(settings);
    if (!(serverLr > 0) || Double.isInfinite(serverLr)) {
      throw new IllegalArgumentException("FedAvgM serverLr must be positive and finite, got " + serverLr);
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("FedAvgM momentum must be in [0, 1), got " + momentum);
    }
    this.serverLr = serverLr;
    this.momentum = momentum;
  }

  /** η, the server learning rate. */
  public double serverLr() {
    return serverLr;
  }

  /** β, the server momentum. */
  public double momentum() {
    return momentum;
  }

  @Override
  public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> results) {
    WeightedMean mean = meanByExamples(global, results);
    if (mean.count() == 0) {
      return new AggregateResult(Optional.empty(), Metrics.of(StrategyMetrics.RESULTS_USED, 0));
    }
    if (velocity == null) {
      velocity = ModelWeights.zeros(global.specs());
    } else {
      StateArrays.requireFits(KIND, global.specs(), velocity);
    }
    ModelWeights average = mean.result();
    List<Tensor> next = new ArrayList<>(global.count());
    List<Tensor> nextVelocity = new ArrayList<>(global.count());
    double squaredNorm = 0;
    for (int i = 0; i < global.count(); i++) {
      float[] w = global.get(i).toArray();
      float[] v = velocity.get(i).toArray();
      squaredNorm += step(w, average.get(i).buffer(), v);
      next.add(Tensor.wrap(global.get(i).spec(), w));
      nextVelocity.add(Tensor.wrap(global.get(i).spec(), v));
    }
    velocity = ModelWeights.of(nextVelocity);
    return new AggregateResult(Optional.of(ModelWeights.of(next)), Metrics.of(
        StrategyMetrics.RESULTS_USED, mean.count(),
        StrategyMetrics.PSEUDO_GRADIENT_NORM, Math.sqrt(squaredNorm)));
  }

  /**
   * One momentum step on one tensor, in place: {@code d = w − mean}, {@code v ← β v + d}, {@code w ← w − η v}.
   *
   * @return {@code Σ d²}
   */
  private double step(float[] w, FloatBuffer mean, float[] v) {
    double squared = 0;
    for (int j = 0; j < w.length; j++) {
      double d = (double) w[j] - mean.get(j);
      squared += d * d;
      v[j] = (float) (momentum * v[j] + d);
      w[j] = (float) (w[j] - serverLr * v[j]);
    }
    return squared;
  }

  /** The momentum buffer, or empty before the first step. */
  @Override
  public StrategyState state() {
    if (velocity == null) {
      return StrategyState.empty();
    }
    return new StrategyState(Config.of(StateArrays.KIND, KIND),
        ModelWeights.of(StateArrays.prefixed(BUFFER, velocity)));
  }

  /** Takes back a momentum buffer saved by {@link #state()}; an empty state starts again from zero. */
  @Override
  public void restore(StrategyState state) {
    if (state.isEmpty()) {
      velocity = null;
      return;
    }
    StateArrays.requireKind(KIND, state);
    ModelWeights restored = StateArrays.unprefixed(KIND, BUFFER, state.arrays());
    StateArrays.requireOnly(KIND, state, restored.count());
    velocity = restored;
  }
}
