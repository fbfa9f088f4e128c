package dev.flotilla.core.privacy;

import dev.flotilla.core.random.Seeds;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The configuration of central differential privacy ({@link DpFixedClipping}, {@link DpAdaptiveClipping}).
 *
 * @param noiseMultiplier    {@code z >= 0}: the noise on the sum of clipped updates has standard deviation
 *                           {@code z·C}; 0 clips without noise (and without any privacy guarantee)
 * @param clip               the L2 clipping norm {@code C > 0} (adaptive clipping: its starting value)
 * @param delta              the δ at which ε is reported, in (0, 1)
 * @param targetEpsilon      the budget: a round that would take ε above it is not started, and the run stops; empty
 *                           for none
 * @param clientSideClipping whether clients clip their own update ({@link DpClipMod}, told the norm by the config key
 *                           {@value PrivacyMetrics#CONFIG_CLIP}) while the server only checks the norms and adds the
 *                           noise; otherwise the server clips
 * @param noiseSeed          empty: noise from {@link RandomBits#secure()}; a seed: reproducible noise, which is not
 *                           private (anyone with the seed can remove it), for simulations and tests
 */
public record DpSettings(double noiseMultiplier, double clip, double delta, OptionalDouble targetEpsilon,
    boolean clientSideClipping, OptionalLong noiseSeed) {
  /** The δ used when none is given, as in most DP-FedAvg papers. */
  public static final double DEFAULT_DELTA = 1e-5;

  /** @throws IllegalArgumentException naming the first value out of range */
  public DpSettings {
    if (!(noiseMultiplier >= 0) || Double.isInfinite(noiseMultiplier)) {
      throw new IllegalArgumentException("noise multiplier must be >= 0 and finite, got " + noiseMultiplier);
    }
    if (!(clip > 0) || Double.isInfinite(clip)) {
      throw new IllegalArgumentException("clipping norm must be positive and finite, got " + clip);
    }
    if (!(delta > 0 && delta < 1)) {
      throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
    }
    Objects.requireNonNull(targetEpsilon, "targetEpsilon");
    targetEpsilon.ifPresent(e -> {
      if (!(e > 0) || Double.isInfinite(e)) {
        throw new IllegalArgumentException("target epsilon must be positive and finite, got " + e);
      }
    });
    if (targetEpsilon.isPresent() && noiseMultiplier == 0) {
      throw new IllegalArgumentException("a target epsilon needs noise: the noise multiplier is 0");
    }
    Objects.requireNonNull(noiseSeed, "noiseSeed");
  }

  /** A builder; the noise multiplier and clip must be set. */
  public static Builder builder() {
    return new Builder();
  }

  /** Random bits for the noise of round {@code round}: secure, or derived from the seed and the round. */
  RandomBits bits(long round, long salt) {
    if (noiseSeed.isEmpty()) {
      return RandomBits.secure();
    }
    return RandomBits.seeded(Seeds.mix(noiseSeed.getAsLong() * Seeds.GOLDEN_GAMMA + round * 31 + salt));
  }

  /** Builds {@link DpSettings}: δ {@value #DEFAULT_DELTA}, no budget, server-side clipping, secure noise. */
  public static final class Builder {
    private double noiseMultiplier = Double.NaN;
    private double clip = Double.NaN;
    private double delta = DEFAULT_DELTA;
    private OptionalDouble targetEpsilon = OptionalDouble.empty();
    private boolean clientSideClipping;
    private OptionalLong noiseSeed = OptionalLong.empty();

    private Builder() {}

    /** Sets {@link DpSettings#noiseMultiplier()}. */
    public Builder noiseMultiplier(double v) {
      noiseMultiplier = v;
      return this;
    }

    /** Sets {@link DpSettings#clip()}. */
    public Builder clip(double v) {
      clip = v;
      return this;
    }

    /** Sets {@link DpSettings#delta()}. */
    public Builder delta(double v) {
      delta = v;
      return this;
    }

    /** Sets {@link DpSettings#targetEpsilon()}. */
    public Builder targetEpsilon(double v) {
      targetEpsilon = OptionalDouble.of(v);
      return this;
    }

    /** Sets {@link DpSettings#clientSideClipping()}. */
    public Builder clientSideClipping(boolean v) {
      clientSideClipping = v;
      return this;
    }

    /** Sets {@link DpSettings#noiseSeed()}: reproducible, not private, noise. */
    public Builder noiseSeed(long seed) {
      noiseSeed = OptionalLong.of(seed);
      return this;
    }

    /** @throws IllegalArgumentException naming the first value out of range */
    public DpSettings build() {
      return new DpSettings(noiseMultiplier, clip, delta, targetEpsilon, clientSideClipping, noiseSeed);
    }
  }
}
