package dev.flotilla.core.strategy;

/**
 * FedAdagrad (Reddi et al., "Adaptive Federated Optimization", ICLR 2021): {@link FedOpt} with the Adagrad second
 * moment {@code v ← v + Δ²}, so each coordinate's step shrinks with the updates it has seen. {@code β₂} is unused.
 * Defaults follow Flower: {@code η = 0.1}, {@code β₁ = 0} (no momentum), {@code τ = 1e-9}.
 */
public class FedAdagrad extends FedOpt {
  /** Flower's defaults: η 0.1, β₁ 0, β₂ unused, τ 1e-9. */
  public static final Hyperparameters DEFAULTS = new Hyperparameters(0.1, 0.0, 0.0, 1e-9);

  /** FedAdagrad with FedAvg's sampling, configuration and evaluation from {@code settings}. */
  public FedAdagrad(Settings settings, Hyperparameters hyperparameters) {
    super(settings, hyperparameters);
  }

  /** FedAdagrad with {@link #DEFAULTS}. */
  public FedAdagrad(Settings settings) {
    this(settings, DEFAULTS);
  }

  @Override
  protected String kind() {
    return "fedadagrad";
  }

  /** {@code v + Δ²}. */
  @Override
  protected double secondMoment(double previous, double deltaSquared) {
    return previous + deltaSquared;
  }
}
