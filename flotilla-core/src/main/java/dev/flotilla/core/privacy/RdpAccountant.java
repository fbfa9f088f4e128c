package dev.flotilla.core.privacy;

import java.util.Arrays;
import java.util.Objects;

/**
 * The privacy spent so far, as Rényi differential privacy over a fixed set of orders, and its conversion to
 * {@code (ε, δ)}. Composition adds the RDP of each step ({@link SampledGaussianRdp}, Mironov et al. 2019) order by
 * order; {@link #epsilon(double)} converts with the bound of Balle, Barthe, Gaboardi, Hsu and Sato, "Hypothesis
 * Testing Interpretations and Rényi Differential Privacy" (AISTATS 2020, Theorem 21):
 * {@code ε = rdp(α) + log((α − 1)/α) − (log δ + log α)/(α − 1)}, minimised over the orders, the conversion of Google's
 * {@code dp_accounting}, TensorFlow Privacy and Opacus (tighter than Mironov's {@code rdp(α) + log(1/δ)/(α − 1)}).
 *
 * <p>Immutable: {@link #compose} returns a new accountant. Thread-safe.
 */
public final class RdpAccountant {
  /** The orders of {@code dp_accounting}'s RDP accountant: 1.1 to 10.9 by 0.1, 11 to 63, 128, 256, 512 and 1024. */
  private static final double[] DEFAULT_ORDERS = defaultOrders();
  private static final RdpAccountant EMPTY = new RdpAccountant(DEFAULT_ORDERS, new double[DEFAULT_ORDERS.length], 0);

  private final double[] orders;
  private final double[] rdp;
  private final long steps;

  private RdpAccountant(double[] orders, double[] rdp, long steps) {
    this.orders = orders;
    this.rdp = rdp;
    this.steps = steps;
  }

  /** Nothing spent yet, over the default orders. */
  public static RdpAccountant empty() {
    return EMPTY;
  }

  /**
   * An accountant that has already spent {@code rdp} (one value per default order, as {@link #rdp()} returns) in
   * {@code steps} steps; for restoring a saved one.
   *
   * @throws IllegalArgumentException if the lengths differ or a value is negative or NaN
   */
  public static RdpAccountant of(double[] rdp, long steps) {
    if (rdp.length != DEFAULT_ORDERS.length) {
      throw new IllegalArgumentException("expected " + DEFAULT_ORDERS.length + " RDP values, one per order, got "
          + rdp.length);
    }
    for (double r : rdp) {
      if (!(r >= 0)) {
        throw new IllegalArgumentException("RDP values must be >= 0, got " + r);
      }
    }
    if (steps < 0) {
      throw new IllegalArgumentException("steps must be >= 0, got " + steps);
    }
    return new RdpAccountant(DEFAULT_ORDERS, rdp.clone(), steps);
  }

  /** The orders, in increasing order. */
  public static double[] defaultOrders() {
    double[] out = new double[99 + 53 + 4];
    int k = 0;
    for (int x = 1; x < 100; x++) {
      out[k++] = 1 + x / 10.0;
    }
    for (int a = 11; a < 64; a++) {
      out[k++] = a;
    }
    for (int a : new int[] {128, 256, 512, 1024}) {
      out[k++] = a;
    }
    return out;
  }

  /**
   * This accountant after {@code count} more steps of the Poisson-subsampled Gaussian mechanism with sampling rate
   * {@code q} and noise multiplier {@code z}.
   *
   * @throws IllegalArgumentException if {@code q} is outside [0, 1], {@code z} negative or {@code count} negative
   */
  public RdpAccountant compose(double q, double z, long count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
    double[] next = rdp.clone();
    for (int i = 0; i < orders.length; i++) {
      next[i] += count * SampledGaussianRdp.rdp(q, z, orders[i]);
    }
    return new RdpAccountant(orders, next, steps + count);
  }

  /** Steps composed so far. */
  public long steps() {
    return steps;
  }

  /** The RDP spent at each default order (a copy). */
  public double[] rdp() {
    return rdp.clone();
  }

  /**
   * The smallest {@code ε} such that what was spent is {@code (ε, δ)}-DP; 0 before any step, infinite if a step had
   * no noise.
   *
   * @throws IllegalArgumentException if {@code delta} is outside (0, 1)
   */
  public double epsilon(double delta) {
    return epsilon(orders, rdp, delta);
  }

  /**
   * {@code min over α of rdp(α) + log1p(−1/α) − log(δ α)/(α − 1)} (Balle et al. 2020), 0 where the KL bound
   * {@code δ ≥ sqrt(1 − e^(−rdp))} already holds, never negative; orders at or below 1.01 are skipped, where the bound
   * is numerically unstable (as in {@code dp_accounting}).
   *
   * @throws IllegalArgumentException if the arrays differ in length, or {@code delta} is outside (0, 1)
   */
  public static double epsilon(double[] orders, double[] rdp, double delta) {
    requireDelta(delta);
    if (orders.length != rdp.length) {
      throw new IllegalArgumentException(orders.length + " orders but " + rdp.length + " RDP values");
    }
    double best = Double.POSITIVE_INFINITY;
    for (int i = 0; i < orders.length; i++) {
      double a = orders[i];
      double r = rdp[i];
      double eps;
      if (delta * delta + Math.expm1(-r) > 0) {
        eps = 0;
      } else if (a > 1.01) {
        eps = r + Math.log1p(-1 / a) - Math.log(delta * a) / (a - 1);
      } else {
        eps = Double.POSITIVE_INFINITY;
      }
      best = Math.min(best, eps);
    }
    return Math.max(0, best);
  }

  /**
   * The {@code ε} of {@code steps} steps with sampling rate {@code q} and noise multiplier {@code z}, at
   * {@code delta}.
   */
  public static double epsilon(double q, double z, long steps, double delta) {
    return EMPTY.compose(q, z, steps).epsilon(delta);
  }

  /**
   * The smallest noise multiplier (to within 0.1%, rounded up so that the target holds) with which {@code steps} steps
   * at sampling rate {@code q} stay within {@code targetEpsilon} at {@code delta}.
   *
   * @throws IllegalArgumentException if an argument is out of range, or the target needs a multiplier above 10⁴
   */
  public static double noiseMultiplier(double q, long steps, double targetEpsilon, double delta) {
    requireDelta(delta);
    if (!(targetEpsilon > 0) || Double.isInfinite(targetEpsilon)) {
      throw new IllegalArgumentException("target epsilon must be positive and finite, got " + targetEpsilon);
    }
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, got " + steps);
    }
    double hi = 1;
    while (epsilon(q, hi, steps, delta) > targetEpsilon) {
      hi *= 2;
      if (hi > 1e4) {
        throw new IllegalArgumentException("epsilon " + targetEpsilon + " at delta " + delta + " over " + steps
            + " steps at q = " + q + " needs a noise multiplier above 1e4");
      }
    }
    double lo = 0;
    while (hi - lo > 1e-3 * hi) {
      double mid = (lo + hi) / 2;
      if (epsilon(q, mid, steps, delta) > targetEpsilon) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return hi;
  }

  private static void requireDelta(double delta) {
    if (!(delta > 0 && delta < 1)) {
      throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RdpAccountant a && steps == a.steps && Arrays.equals(rdp, a.rdp);
  }

  @Override
  public int hashCode() {
    return Objects.hash(steps, Arrays.hashCode(rdp));
  }

  @Override
  public String toString() {
    return "RdpAccountant(" + steps + " steps)";
  }
}
