package dev.flotilla.core.privacy;

/**
 * The Gaussian mechanism for a sum of clipped updates, carried out on the grid {@code γℤ}: each clipped update is
 * rounded to the grid, the integer sum gets discrete Gaussian noise ({@link DiscreteGaussian}), and only then does
 * anything go back to floating point. Rounding moves each coordinate by at most {@code γ/2}, so one client's rounded
 * update has L2 norm at most {@code C + γ√d/2}: in grid units the sensitivity is {@code Δ = C/γ + √d/2}, and noise of
 * scale {@code σ = z·Δ} gives exactly the Rényi DP of a Gaussian mechanism with noise multiplier {@code z} (Canonne,
 * Kamath and Steinke 2020, Theorem 14: the multivariate discrete Gaussian has the Gaussian's concentrated DP up to a
 * term {@code τ ≤ 10 Σ e^(−2π²σ²·k/(k+1))}, zero in double precision for the σ in grid units used here, which are in
 * the thousands). The grid is the largest power of two that keeps the rounding slack {@code γ√d/2} within
 * {@value #ROUNDING_SLACK} of {@code C}, so the noise is at most 0.1% above {@code z·C}.
 *
 * @param granularity γ, a power of two, in model units
 * @param sensitivity Δ, one client's largest contribution to the sum, in grid units
 * @param sigma       the noise scale, in grid units
 */
public record GridGaussian(double granularity, double sensitivity, double sigma) {
  /** The rounding slack allowed, relative to the clipping norm. */
  public static final double ROUNDING_SLACK = 1e-3;

  public GridGaussian {
    if (!(granularity > 0) || !(sensitivity > 0) || !(sigma >= 0)) {
      throw new IllegalArgumentException("granularity and sensitivity must be positive and sigma >= 0, got "
          + granularity + ", " + sensitivity + ", " + sigma);
    }
  }

  /**
   * The grid and noise for updates of {@code dimensions} values clipped to L2 norm {@code clip}, with noise
   * multiplier {@code noiseMultiplier}.
   *
   * @throws IllegalArgumentException if {@code clip} is not positive, {@code dimensions < 1} or the multiplier
   *                                  negative
   */
  public static GridGaussian of(double clip, long dimensions, double noiseMultiplier) {
    if (!(clip > 0) || Double.isInfinite(clip)) {
      throw new IllegalArgumentException("clipping norm must be positive and finite, got " + clip);
    }
    if (dimensions < 1) {
      throw new IllegalArgumentException("dimensions must be >= 1, got " + dimensions);
    }
    if (!(noiseMultiplier >= 0) || Double.isInfinite(noiseMultiplier)) {
      throw new IllegalArgumentException("noise multiplier must be >= 0 and finite, got " + noiseMultiplier);
    }
    double halfRoot = Math.sqrt((double) dimensions) / 2;
    double gamma = Math.scalb(1.0, Math.getExponent(ROUNDING_SLACK * clip / halfRoot));
    double sensitivity = clip / gamma + halfRoot;
    return new GridGaussian(gamma, sensitivity, noiseMultiplier * sensitivity);
  }

  /** The standard deviation of the noise on the sum, in model units: {@code γσ}, slightly above {@code z·C}. */
  public double stdDev() {
    return granularity * sigma;
  }
}
