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
import java.util.Objects;
import java.util.Optional;

/**
 * Adaptive server optimisation (Reddi, Charles, Zaheer, Garrett, Rush, Konečný, Kumar and McMahan, "Adaptive
 * Federated Optimization", ICLR 2021), the part shared by {@link FedAdagrad}, {@link FedAdam} and {@link FedYogi}.
 * The pseudo-gradient {@code Δ = mean − global}, with the example-weighted mean of {@link FedAvg}, drives a
 * server optimiser, coordinate by coordinate:
 *
 * <pre>
 *   m ← β₁ m + (1 − β₁) Δ
 *   v ← secondMoment(v, Δ²)           (Adagrad, Adam or Yogi)
 *   new = global + η m / (√v + τ)
 * </pre>
 *
 * <p>{@code m} and {@code v} start at zero as in Flower (the paper allows {@code v₋₁ ≥ τ²}); there is no Adam bias
 * correction, as in the paper's Algorithm 2. Both buffers are kept in float32.
 *
 * <p>State: {@code m} and {@code v}, saved as arrays {@code m/<tensor>} and {@code v/<tensor>}, and the step count
 * as scalar {@code step}. Results are folded as they arrive (memory: the mean and both buffers); results with 0
 * examples are skipped.
 */
public abstract class FedOpt extends FedAvg {
  private final Hyperparameters hyperparameters;
  private ModelWeights m; // null until the first step
  private ModelWeights v;
  private long step;

  /** A server optimiser with FedAvg's sampling, configuration and evaluation from {@code settings}. */
  protected FedOpt(Settings settings, Hyperparameters hyperparameters) {
    super(settings);
    this.hyperparameters = Objects.requireNonNull(hyperparameters, "hyperparameters");
  }

  /** η, β₁, β₂ and τ. */
  public Hyperparameters hyperparameters() {
    return hyperparameters;
  }

  /** The name of the algorithm, as in {@link Strategies#names()}; it also labels the saved state. */
  protected abstract String kind();

  /**
   * The next second moment of one coordinate from the previous one and the squared pseudo-gradient: the one thing
   * in which Adagrad, Adam and Yogi differ.
   */
  protected abstract double secondMoment(double previous, double deltaSquared);

  @Override
  public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> results) {
    WeightedMean mean = meanByExamples(global, results);
    if (mean.count() == 0) {
      return new AggregateResult(Optional.empty(), Metrics.of(StrategyMetrics.RESULTS_USED, 0));
    }
    if (m == null) {
      m = ModelWeights.zeros(global.specs());
      v = ModelWeights.zeros(global.specs());
    } else {
      StateArrays.requireFits(kind(), global.specs(), m);
      StateArrays.requireFits(kind(), global.specs(), v);
    }
    ModelWeights average = mean.result();
    List<Tensor> next = new ArrayList<>(global.count());
    List<Tensor> nextM = new ArrayList<>(global.count());
    List<Tensor> nextV = new ArrayList<>(global.count());
    double squaredNorm = 0;
    for (int i = 0; i < global.count(); i++) {
      float[] w = global.get(i).toArray();
      float[] mi = m.get(i).toArray();
      float[] vi = v.get(i).toArray();
      squaredNorm += step(w, average.get(i).buffer(), mi, vi);
      next.add(Tensor.wrap(global.get(i).spec(), w));
      nextM.add(Tensor.wrap(global.get(i).spec(), mi));
      nextV.add(Tensor.wrap(global.get(i).spec(), vi));
    }
    m = ModelWeights.of(nextM);
    v = ModelWeights.of(nextV);
    step++;
    return new AggregateResult(Optional.of(ModelWeights.of(next)), Metrics.of(
        StrategyMetrics.RESULTS_USED, mean.count(),
        StrategyMetrics.PSEUDO_GRADIENT_NORM, Math.sqrt(squaredNorm),
        StrategyMetrics.SERVER_STEP, step));
  }

  /**
   * One optimiser step on one tensor, in place on {@code w}, {@code m} and {@code v}.
   *
   * @return {@code Σ Δ²}
   */
  private double step(float[] w, FloatBuffer mean, float[] m, float[] v) {
    double beta1 = hyperparameters.beta1();
    double lr = hyperparameters.serverLr();
    double tau = hyperparameters.tau();
    double squared = 0;
    for (int j = 0; j < w.length; j++) {
      double delta = (double) mean.get(j) - w[j];
      double delta2 = delta * delta;
      squared += delta2;
      m[j] = (float) (beta1 * m[j] + (1 - beta1) * delta);
      v[j] = (float) secondMoment(v[j], delta2);
      w[j] = (float) (w[j] + lr * m[j] / (Math.sqrt(v[j]) + tau));
    }
    return squared;
  }

  /** {@code m}, {@code v} and the step count, or empty before the first step. */
  @Override
  public StrategyState state() {
    if (m == null) {
      return StrategyState.empty();
    }
    List<Tensor> arrays = new ArrayList<>(StateArrays.prefixed("m", m));
    arrays.addAll(StateArrays.prefixed("v", v));
    return new StrategyState(Config.of(StateArrays.KIND, kind(), "step", step), ModelWeights.of(arrays));
  }

  /** Takes back a state saved by {@link #state()} of the same algorithm; an empty state starts again from zero. */
  @Override
  public void restore(StrategyState state) {
    if (state.isEmpty()) {
      m = null;
      v = null;
      step = 0;
      return;
    }
    StateArrays.requireKind(kind(), state);
    ModelWeights restoredM = StateArrays.unprefixed(kind(), "m", state.arrays());
    ModelWeights restoredV = StateArrays.unprefixed(kind(), "v", state.arrays());
    StateArrays.requireOnly(kind(), state, restoredM.count() + restoredV.count());
    StateArrays.requireFits(kind(), restoredM.specs(), restoredV);
    long restoredStep = state.scalars().getLong("step", -1);
    if (restoredStep < 0) {
      throw new IllegalArgumentException(kind() + " state needs a step count >= 0, got " + restoredStep);
    }
    m = restoredM;
    v = restoredV;
    step = restoredStep;
  }

  /**
   * The server optimiser's settings.
   *
   * @param serverLr η, the server learning rate, positive
   * @param beta1    β₁, decay of the first moment, in [0, 1)
   * @param beta2    β₂, decay of the second moment (Adam, Yogi), in [0, 1)
   * @param tau      τ, the adaptivity: added to √v, positive
   */
  public record Hyperparameters(double serverLr, double beta1, double beta2, double tau) {
    public Hyperparameters {
      if (!(serverLr > 0) || Double.isInfinite(serverLr)) {
        throw new IllegalArgumentException("serverLr must be positive and finite, got " + serverLr);
      }
      if (!(beta1 >= 0 && beta1 < 1)) {
        throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
      }
      if (!(beta2 >= 0 && beta2 < 1)) {
        throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
      }
      if (!(tau > 0) || Double.isInfinite(tau)) {
        throw new IllegalArgumentException("tau must be positive and finite, got " + tau);
      }
    }
  }
}
