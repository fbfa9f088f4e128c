package dev.flotilla.core.privacy;

/**
 * The complementary error function in log space, {@code log erfc(x)}, accurate to about 1e-12 relative over the whole
 * real line, including far tails where {@code erfc} itself underflows (the JDK has no erfc). Near zero it sums the
 * Taylor series of erf; from {@value #SWITCH} on it evaluates Laplace's continued fraction with Lentz's method.
 */
final class Erfc {
  private static final double SWITCH = 2.0;
  private static final double LOG_SQRT_PI = 0.5 * Math.log(Math.PI);
  private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
  private static final double TINY = 1e-300;

  private Erfc() {}

  /** {@code log(erfc(x))}; {@code −∞} only for {@code x = +∞}. */
  static double logErfc(double x) {
    if (Double.isNaN(x)) {
      return Double.NaN;
    }
    if (x < 0) {
      return Math.log(2 - Math.exp(logErfc(-x)));
    }
    if (x == Double.POSITIVE_INFINITY) {
      return Double.NEGATIVE_INFINITY;
    }
    if (x < SWITCH) {
      return Math.log1p(-erfSeries(x));
    }
    return -x * x - LOG_SQRT_PI - Math.log(continuedFraction(x));
  }

  /** {@code erf(x) = 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1))}, for small {@code x}. */
  private static double erfSeries(double x) {
    double x2 = x * x;
    double power = x; // (−1)ⁿ x^(2n+1) / n!
    double sum = x;
    for (int n = 1; n < 200; n++) {
      power *= -x2 / n;
      double term = power / (2 * n + 1);
      sum += term;
      if (Math.abs(term) < 1e-17 * Math.abs(sum)) {
        break;
      }
    }
    return TWO_OVER_SQRT_PI * sum;
  }

  /** {@code x + (1/2)/(x + 1/(x + (3/2)/(x + …)))}, so that {@code erfc(x) = e^(−x²) / (√π · this)}. */
  private static double continuedFraction(double x) {
    double f = x;
    double c = f;
    double d = 0;
    for (int n = 1; n < 10_000; n++) {
      double a = n / 2.0;
      d = x + a * d;
      d = d == 0 ? TINY : d;
      c = x + a / c;
      c = c == 0 ? TINY : c;
      d = 1 / d;
      double delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) {
        break;
      }
    }
    return f;
  }
}
