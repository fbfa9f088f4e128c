package dev.flotilla.core.strategy;

/**
 * FedYogi (Reddi et al., "Adaptive Federated Optimization", ICLR 2021): {@link FedOpt} with Yogi's second moment
 * {@code v ← v − (1 − β₂) Δ² sign(v − Δ²)}, which moves {@code v} towards {@code Δ²} by a bounded amount instead of
 * averaging, so a single large update cannot blow it up. Defaults follow Flower's FedYogi: {@code η = 0.01},
 * {@code β₁ = 0.9}, {@code β₂ = 0.99}, {@code τ = 1e-3}.
 */
public class FedYogi extends FedOpt {
  /** Flower's defaults: η 0.01, β₁ 0.9, β₂ 0.99, τ 1e-3. */
  public static final Hyperparameters DEFAULTS = new Hyperparameters(0.01, 0.9, 0.99, 1e-3);

  /** FedYogi with FedAvg's sampling, configuration and evaluation from {@code settings}. */
  public FedYogi(Settings settings, Hyperparameters hyperparameters) {
    super(settings, hyperparameters);
  }

  /** FedYogi with {@link #DEFAULTS}. */
  public FedYogi(Settings settings) {
    this(settings, DEFAULTS);
  }

  @Override
  protected String kind() {
    return "fedyogi";
  }

  /** {@code v − (1 − β₂) Δ² sign(v − Δ²)}; stays {@code >= 0} from a start at 0. */
  @Override
  protected double secondMoment(double previous, double deltaSquared) {
    return previous - (1 - hyperparameters().beta2()) * deltaSquared * Math.signum(previous - deltaSquared);
  }
}
