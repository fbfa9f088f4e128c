package dev.flotilla.core.privacy;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.strategy.Strategy;

/**
 * Central differential privacy with a fixed clipping norm: DP-FedAvg (McMahan et al., ICLR 2018) around any
 * weighted-average strategy, as Flower's {@code DifferentialPrivacyServerSideFixedClipping} and
 * {@code …ClientSideFixedClipping} do. Each round every update is clipped to {@code C} (by the server, or by the
 * clients' {@link DpClipMod}), and the unweighted mean of the clipped updates gets Gaussian noise of standard
 * deviation {@code z·C/n} (slightly more: see {@link GridGaussian}); ε is reported every round and a budget enforced.
 * The details are those of every central wrapper, described on {@link CentralDp}.
 *
 * <p>Threading: one call at a time, as for any {@link Strategy}.
 */
public final class DpFixedClipping extends CentralDp {
  /** {@code inner} with differential privacy as {@code settings} say. */
  public DpFixedClipping(Strategy inner, DpSettings settings) {
    super(inner, settings);
  }

  @Override
  double clip() {
    return settings().clip();
  }

  @Override
  double updateNoiseMultiplier(int sampled) {
    return settings().noiseMultiplier();
  }

  /** Nothing: the clip stays. The number of clipped updates is not reported, since it is not private. */
  @Override
  Metrics afterRound(int unclipped, int n, int sampled, RandomBits bits) {
    return Metrics.empty();
  }

  @Override
  Config ownState() {
    return Config.empty();
  }

  @Override
  void restoreOwn(Config scalars) {
    // the clip is configuration, nothing to restore
  }
}
