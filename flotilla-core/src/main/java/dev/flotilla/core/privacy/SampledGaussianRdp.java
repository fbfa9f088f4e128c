package dev.flotilla.core.privacy;

/**
 * The Rényi differential privacy of one step of the Poisson-subsampled Gaussian mechanism: each record is included
 * with probability {@code q}, the sum of the included records (each of L2 norm at most {@code C}) gets Gaussian noise
 * of standard deviation {@code z·C}. Its RDP at order {@code α} is {@code log(A_α) / (α − 1)}, with {@code A_α} computed
 * as in Mironov, Talwar and Zhang, "Rényi Differential Privacy of the Sampled Gaussian Mechanism" (2019): Section 3.3
 * for integer orders (a finite binomial sum) and Section 3.4 for fractional ones (two series with erfc terms, summed in absolute value as the current {@code dp_accounting} does). This is
 * the computation of TensorFlow Privacy's and Google's {@code dp_accounting} RDP accountants, under the add-or-remove-one
 * neighbouring relation, done in log space so that large orders do not overflow.
 *
 * <p>Pure functions; thread-safe.
 */
public final class SampledGaussianRdp {
  private static final double LOG_HALF = Math.log(0.5);
  // the fractional-order series stops once its terms fall below e^-30 of the total, as in dp_accounting
  private static final double SERIES_CUTOFF = -30;
  private static final int MAX_SERIES_TERMS = 1000;

  private SampledGaussianRdp() {}

  /**
   * The RDP at order {@code order} of one step with sampling rate {@code q} and noise multiplier {@code z}.
   * {@code q = 0} costs nothing; {@code z = 0} or an infinite order cost infinitely much; {@code q = 1} is the plain
   * Gaussian mechanism, {@code α / (2 z²)}.
   *
   * @throws IllegalArgumentException if {@code q} is outside [0, 1], {@code z} negative or {@code order <= 1}
   */
  public static double rdp(double q, double z, double order) {
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("sampling rate q must be in [0, 1], got " + q);
    }
    if (!(z >= 0) || Double.isInfinite(z)) {
      throw new IllegalArgumentException("noise multiplier must be >= 0 and finite, got " + z);
    }
    if (!(order > 1)) {
      throw new IllegalArgumentException("an RDP order must be > 1, got " + order);
    }
    if (q == 0) {
      return 0;
    }
    if (z == 0 || Double.isInfinite(order)) {
      return Double.POSITIVE_INFINITY;
    }
    if (q == 1) {
      return order / (2 * z * z);
    }
    return logA(q, z, order) / (order - 1);
  }

  /** {@code log(A_α)}; integer orders take the exact finite sum, fractional ones the series. */
  static double logA(double q, double z, double order) {
    return order == Math.rint(order) && order < Integer.MAX_VALUE
        ? logAInteger(q, z, (int) order) : logAFractional(q, z, order);
  }

  /** {@code log Σ_{i=0..α} C(α, i) q^i (1 − q)^(α−i) exp((i² − i) / (2 z²))}. */
  private static double logAInteger(double q, double z, int order) {
    double logQ = Math.log(q);
    double log1mQ = Math.log1p(-q);
    double twoZ2 = 2 * z * z;
    double logA = Double.NEGATIVE_INFINITY;
    double logBinomial = 0; // log C(order, i), updated as i grows
    for (int i = 0; i <= order; i++) {
      if (i > 0) {
        logBinomial += Math.log((double) (order - i + 1) / i);
      }
      double term = logBinomial + i * logQ + (order - i) * log1mQ + ((double) i * i - i) / twoZ2;
      logA = logAdd(logA, term);
    }
    return logA;
  }

  /**
   * The two series of Mironov et al. (2019), Section 3.3 of arXiv:1908.10530, for a fractional order. Their terms are
   * added in absolute value, as the current {@code dp_accounting} does: an upper bound on {@code A_α}, safe where
   * the alternating signs of the generalised binomial coefficients would otherwise be subtracted. Summed until both
   * terms are decreasing and below {@code e^-30} times the total; infinite (the order is then useless) if that takes
   * more than {@value #MAX_SERIES_TERMS} terms.
   */
  private static double logAFractional(double q, double z, double order) {
    double logA0 = Double.NEGATIVE_INFINITY;
    double logA1 = Double.NEGATIVE_INFINITY;
    double z0 = z * z * Math.log(1 / q - 1) + 0.5;
    double logQ = Math.log(q);
    double log1mQ = Math.log1p(-q);
    double sqrt2z = Math.sqrt(2) * z;
    double logCoefficient = 0; // log |C(α, i)|, the generalised binomial coefficient
    double lastS0 = Double.NEGATIVE_INFINITY;
    double lastS1 = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < MAX_SERIES_TERMS; i++) {
      if (i > 0) {
        logCoefficient += Math.log(Math.abs((order - i + 1) / i));
      }
      double j = order - i;
      double logT0 = logCoefficient + i * logQ + j * log1mQ;
      double logT1 = logCoefficient + j * logQ + i * log1mQ;
      double logE0 = LOG_HALF + Erfc.logErfc((i - z0) / sqrt2z);
      double logE1 = LOG_HALF + Erfc.logErfc((z0 - j) / sqrt2z);
      double logS0 = logT0 + ((double) i * i - i) / (2 * z * z) + logE0;
      double logS1 = logT1 + (j * j - j) / (2 * z * z) + logE1;
      logA0 = logAdd(logA0, logS0);
      logA1 = logAdd(logA1, logS1);
      double total = logAdd(logA0, logA1);
      if (logS0 < lastS0 && logS1 < lastS1 && Math.max(logS0, logS1) < total + SERIES_CUTOFF) {
        return total;
      }
      lastS0 = logS0;
      lastS1 = logS1;
    }
    return Double.POSITIVE_INFINITY;
  }

  /** {@code log(e^a + e^b)}. */
  static double logAdd(double a, double b) {
    double lo = Math.min(a, b);
    double hi = Math.max(a, b);
    if (lo == Double.NEGATIVE_INFINITY) {
      return hi;
    }
    return Math.log1p(Math.exp(lo - hi)) + hi;
  }
}
