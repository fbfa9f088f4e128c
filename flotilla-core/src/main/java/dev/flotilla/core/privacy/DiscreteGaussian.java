package dev.flotilla.core.privacy;

/**
 * Samples the discrete Gaussian on the integers, {@code P(x) ∝ exp(−x² / (2σ²))}, with the rejection sampler of
 * Canonne, Kamath and Steinke, "The Discrete Gaussian for Differential Privacy" (NeurIPS 2020), Algorithms 2 and 3:
 * a discrete Laplace proposal of scale {@code t = ⌊σ⌋ + 1}, accepted with probability
 * {@code exp(−(|y| − σ²/t)² / (2σ²))}; about ten uniform draws per sample whatever {@code σ}.
 *
 * <p>Why discrete: a floating-point Gaussian added to a floating-point value leaks through which low-order bits the
 * sum can take (Mironov, "On Significance of the Least Significant Bits for Differential Privacy", CCS 2012). Here
 * every output is an integer, so the set of possible outputs is the same whatever the input; callers put their values
 * on a grid first ({@link LatticeSum}). The acceptance probabilities are computed in double precision: that perturbs
 * each probability by a relative error of about 1e-16 where it matters, and cuts off only tails beyond ~38σ (mass below
 * 2^-1000), which changes the privacy loss by amounts far below what the accountant reports.
 *
 * <p>Stateless; the randomness comes from the {@link RandomBits} given.
 */
public final class DiscreteGaussian {
  private static final double EXP_MINUS_ONE = Math.exp(-1);

  private DiscreteGaussian() {}

  /**
   * One sample with scale {@code sigma} (its variance is {@code σ²} to within {@code e^(−2π²σ²)} relative, for
   * {@code σ ≥ 1}); 0 when {@code sigma} is 0.
   *
   * @throws IllegalArgumentException if {@code sigma} is negative, NaN or above 2^52
   */
  public static long sample(double sigma, RandomBits bits) {
    if (!(sigma >= 0) || sigma > 0x1.0p52) {
      throw new IllegalArgumentException("sigma must be in [0, 2^52], got " + sigma);
    }
    if (sigma == 0) {
      return 0;
    }
    long t = (long) Math.floor(sigma) + 1;
    double sigma2 = sigma * sigma;
    while (true) {
      long y = discreteLaplace(t, bits);
      double d = Math.abs(y) - sigma2 / t;
      if (bernoulliExp(d * d / (2 * sigma2), bits)) {
        return y;
      }
    }
  }

  /** {@code P(x) ∝ exp(−|x| / t)} on the integers (Canonne et al., Algorithm 2). */
  static long discreteLaplace(long t, RandomBits bits) {
    while (true) {
      long u = bits.nextLong(t);
      if (!bernoulliExp((double) u / t, bits)) {
        continue;
      }
      long v = 0;
      while (bits.nextDouble() < EXP_MINUS_ONE) {
        v++;
      }
      long x = u + t * v;
      boolean negative = (bits.nextLong() & 1) == 1;
      if (negative && x == 0) {
        continue;
      }
      return negative ? -x : x;
    }
  }

  /** True with probability {@code exp(−gamma)}, {@code gamma >= 0}. */
  private static boolean bernoulliExp(double gamma, RandomBits bits) {
    return bits.nextDouble() < Math.exp(-gamma);
  }
}
