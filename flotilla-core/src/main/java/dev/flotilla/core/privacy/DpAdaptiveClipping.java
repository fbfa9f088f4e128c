package dev.flotilla.core.privacy;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.strategy.Strategy;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Central differential privacy whose clipping norm follows a quantile of the update norms: Andrew, Thakkar, McMahan
 * and Ramaswamy, "Differentially Private Learning with Adaptive Clipping" (NeurIPS 2021). Rounds are those of
 * {@link DpFixedClipping} with the current clip {@code C}; afterwards the share of updates that were no longer than
 * {@code C} is estimated privately, {@code b = (Σ bᵢ + N(0, σ_b²)) / n}, and the clip moves geometrically towards the
 * target quantile {@code γ}: {@code C ← C · exp(−η (b − γ))}.
 *
 * <p>Privacy: releasing the noised count with {@code σ_b} and the update sum with noise multiplier {@code z_Δ} is
 * together a Gaussian mechanism with {@code z = (z_Δ⁻² + (2σ_b)⁻²)^(−1/2)} (Andrew et al., Theorem 1), so the update
 * noise is raised to {@code z_Δ = (z⁻² − (2σ_b)⁻²)^(−1/2)} and the accountant counts {@code z}. By default
 * {@code σ_b} is the number of sampled clients over 20 (the paper's choice), raised where needed to
 * {@code 1.2 z}, which keeps {@code z_Δ} within 10% of {@code z} (with 10 clients per round, n/20 alone would need
 * {@code z < 1}). The count's noise is a discrete Gaussian, as the update's.
 *
 * <p>State: the current clip, saved with the accountant. Threading: one call at a time.
 *
 * @throws IllegalArgumentException from the constructor if an explicit {@code σ_b} has {@code 2σ_b <= z}
 */
public final class DpAdaptiveClipping extends CentralDp {
  private static final String CLIP_STATE = "dp/clip";

  private final Settings adaptive;
  private double clip;

  /** {@code inner} with differential privacy as {@code settings} say, the clip starting at its clip. */
  public DpAdaptiveClipping(Strategy inner, DpSettings settings, Settings adaptive) {
    super(inner, settings);
    this.adaptive = Objects.requireNonNull(adaptive, "adaptive");
    adaptive.countStddev().ifPresent(s -> {
      if (2 * s <= settings.noiseMultiplier()) {
        throw new IllegalArgumentException("count noise stddev " + s + " is too small for noise multiplier "
            + settings.noiseMultiplier() + ": adaptive clipping needs 2 * stddev > z");
      }
    });
    this.clip = settings.clip();
  }

  /** The adaptive clipping parameters. */
  public Settings adaptive() {
    return adaptive;
  }

  @Override
  double clip() {
    return clip;
  }

  @Override
  double updateNoiseMultiplier(int sampled) {
    double z = settings().noiseMultiplier();
    if (z == 0) {
      return 0;
    }
    double twoSigmaB = 2 * countStddev(sampled);
    return Math.pow(Math.pow(z, -2) - Math.pow(twoSigmaB, -2), -0.5);
  }

  /** σ_b for a round that sampled {@code sampled} clients; 0 without noise. */
  double countStddev(int sampled) {
    double z = settings().noiseMultiplier();
    if (z == 0) {
      return 0;
    }
    return adaptive.countStddev().orElse(Math.max(sampled / 20.0, 1.2 * z));
  }

  @Override
  Metrics afterRound(int unclipped, int n, int sampled, RandomBits bits) {
    double noisyCount = unclipped + DiscreteGaussian.sample(countStddev(sampled), bits);
    double fraction = noisyCount / n;
    clip = nextClip(clip, fraction, adaptive.targetQuantile(), adaptive.learningRate());
    return Metrics.of(PrivacyMetrics.UNCLIPPED_FRACTION, fraction);
  }

  /** The geometric update {@code C · exp(−η (b − γ))} of Andrew et al. (2021), Algorithm 1. */
  static double nextClip(double clip, double unclippedFraction, double targetQuantile, double learningRate) {
    return clip * Math.exp(-learningRate * (unclippedFraction - targetQuantile));
  }

  @Override
  Config ownState() {
    return Config.of(CLIP_STATE, clip);
  }

  @Override
  void restoreOwn(Config scalars) {
    clip = scalars.getDouble(CLIP_STATE, settings().clip());
  }

  /**
   * Adaptive clipping's parameters.
   *
   * @param targetQuantile γ, the share of updates that should fit under the clip, in (0, 1); Andrew et al. use 0.5
   * @param learningRate   η > 0, the step of the geometric update; Andrew et al. use 0.2
   * @param countStddev    σ_b, the noise on the count of unclipped updates; empty for the default (see the class)
   */
  public record Settings(double targetQuantile, double learningRate, OptionalDouble countStddev) {
    /** Andrew et al.'s learning rate. */
    public static final double DEFAULT_LEARNING_RATE = 0.2;

    /** @throws IllegalArgumentException naming the value out of range */
    public Settings {
      if (!(targetQuantile > 0 && targetQuantile < 1)) {
        throw new IllegalArgumentException("target quantile must be in (0, 1), got " + targetQuantile);
      }
      if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
        throw new IllegalArgumentException("clip learning rate must be positive and finite, got " + learningRate);
      }
      Objects.requireNonNull(countStddev, "countStddev");
      countStddev.ifPresent(s -> {
        if (!(s > 0) || Double.isInfinite(s)) {
          throw new IllegalArgumentException("count noise stddev must be positive and finite, got " + s);
        }
      });
    }

    /** Quantile {@code targetQuantile} with the default learning rate and count noise. */
    public static Settings of(double targetQuantile) {
      return new Settings(targetQuantile, DEFAULT_LEARNING_RATE, OptionalDouble.empty());
    }
  }
}
