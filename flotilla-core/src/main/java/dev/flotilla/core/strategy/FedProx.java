package dev.flotilla.core.strategy;

import dev.flotilla.core.message.Config;

/**
 * FedProx (Li, Sahu, Zaheer, Sanjabi, Talwalkar and Smith, "Federated Optimization in Heterogeneous Networks",
 * MLSys 2020): clients add the proximal term {@code μ/2 ‖w − w_global‖²} to their local loss, which keeps local
 * models near the global one when data or work differ between clients. The server side is {@link FedAvg}; this
 * strategy only sends {@value #PROXIMAL_MU} ({@code μ}, a double) in every training config, and clients must apply
 * it. With {@code μ = 0} it is FedAvg.
 */
public class FedProx extends FedAvg {
  /** The train config key that carries {@code μ}. */
  public static final String PROXIMAL_MU = "proximal_mu";
  /** Our default {@code μ}; Flower has none, Li et al. tune it in {0.001, 0.01, 0.1, 1}. */
  public static final double DEFAULT_PROXIMAL_MU = 0.01;

  private final double proximalMu;

  /** @param proximalMu {@code μ}, finite and {@code >= 0} */
  public FedProx(Settings settings, double proximalMu) {
    super(settings);
    if (!(proximalMu >= 0) || Double.isInfinite(proximalMu)) {
      throw new IllegalArgumentException("FedProx proximalMu must be >= 0 and finite, got " + proximalMu);
    }
    this.proximalMu = proximalMu;
  }

  /** μ, sent to clients as {@value #PROXIMAL_MU}. */
  public double proximalMu() {
    return proximalMu;
  }

  /** FedAvg's train config with {@value #PROXIMAL_MU} added (replacing one in the settings' config). */
  @Override
  protected Config trainConfig(RoundContext ctx) {
    return super.trainConfig(ctx).with(PROXIMAL_MU, proximalMu);
  }
}
