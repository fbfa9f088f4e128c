package dev.flotilla.core.strategy;

/**
 * FedAdam (Reddi et al., "Adaptive Federated Optimization", ICLR 2021): {@link FedOpt} with Adam's second moment,
 * an exponential average {@code v ← β₂ v + (1 − β₂) Δ²}. Defaults follow Flower: {@code η = 0.1},
 * {@code β₁ = 0.9}, {@code β₂ = 0.99}, {@code τ = 1e-9}.
 */
public class FedAdam extends FedOpt {
  /** Flower's defaults: η 0.1, β₁ 0.9, β₂ 0.99, τ 1e-9. */
  public static final Hyperparameters DEFAULTS = new Hyperparameters(0.1, 0.9, 0.99, 1e-9);

  /** FedAdam with FedAvg's sampling, configuration and evaluation from {@code settings}. */
  public FedAdam(Settings settings, Hyperparameters hyperparameters) {
    super(settings, hyperparameters);
  }

  /** FedAdam with {@link #DEFAULTS}. */
  public FedAdam(Settings settings) {
    this(settings, DEFAULTS);
  }

  @Override
  protected String kind() {
    return "fedadam";
  }

  /** {@code β₂ v + (1 − β₂) Δ²}. */
  @Override
  protected double secondMoment(double previous, double deltaSquared) {
    double beta2 = hyperparameters().beta2();
    return beta2 * previous + (1 - beta2) * deltaSquared;
  }
}
