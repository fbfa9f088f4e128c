package dev.flotilla.core.partition;

import java.util.Random;

/**
 * Draws from Gamma and symmetric Dirichlet distributions with a caller's {@link Random}, so that a seed fixes every
 * draw. Gamma uses Marsaglia and Tsang, "A Simple Method for Generating Gamma Variables" (ACM TOMS, 2000), with
 * their boost {@code Gamma(a) = Gamma(a + 1) · U^(1/a)} for shapes below 1.
 */
final class DirichletSampler {
  private DirichletSampler() {}

  /** One draw from Gamma(shape, scale 1). */
  static double gamma(Random random, double shape) {
    return Math.exp(logGamma(random, shape));
  }

  /**
   * One draw from Dirichlet({@code alpha · 1_k}): {@code k} non-negative proportions summing to 1. Computed from
   * the logarithms of the Gamma draws, because for small alpha those draws underflow a double (with alpha = 0.01,
   * {@code U^(1/alpha)} is often below 1e-300) and a plain normalisation would divide zero by zero.
   */
  static double[] dirichlet(Random random, double alpha, int k) {
    double[] logs = new double[k];
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < k; i++) {
      logs[i] = logGamma(random, alpha);
      max = Math.max(max, logs[i]);
    }
    double sum = 0;
    for (int i = 0; i < k; i++) {
      logs[i] = Math.exp(logs[i] - max);
      sum += logs[i];
    }
    for (int i = 0; i < k; i++) {
      logs[i] /= sum;
    }
    return logs;
  }

  /** The natural logarithm of one Gamma(shape, 1) draw. */
  static double logGamma(Random random, double shape) {
    if (!(shape > 0) || Double.isInfinite(shape)) {
      throw new IllegalArgumentException("Gamma shape must be positive and finite, got " + shape);
    }
    if (shape < 1) {
      double u = 1.0 - random.nextDouble(); // in (0, 1], so its logarithm is finite
      return logGamma(random, shape + 1) + Math.log(u) / shape;
    }
    double d = shape - 1.0 / 3.0;
    double c = 1.0 / Math.sqrt(9.0 * d);
    while (true) {
      double x;
      double v;
      do {
        x = random.nextGaussian();
        v = 1.0 + c * x;
      } while (v <= 0);
      v = v * v * v;
      double u = random.nextDouble();
      double x2 = x * x;
      if (u < 1.0 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1.0 - v + Math.log(v))) {
        return Math.log(d * v);
      }
    }
  }
}
