package dev.flotilla.workflow;

import java.util.Locale;

/**
 * How much an asynchronous result counts given its staleness {@code τ}: the number of model versions applied between
 * the version the client started from and the one the result is folded into. {@code s(0) = 1} for every function,
 * and {@code s} never grows with {@code τ}, so a stale update is damped, never amplified (Xie, Koyejo and Gupta,
 * "Asynchronous Federated Optimization", 2019; Nguyen et al., "Federated Learning with Buffered Asynchronous
 * Aggregation", AISTATS 2022).
 *
 * <ul>
 *   <li>{@code constant}: {@code s(τ) = 1};</li>
 *   <li>{@code polynomial:A}: {@code s(τ) = (1 + τ)^-A}, {@code A >= 0} (FedBuff uses {@code A = 0.5});</li>
 *   <li>{@code hinge:A:B}: {@code s(τ) = 1} for {@code τ <= B}, else {@code 1 / (A (τ − B) + 1)}.</li>
 * </ul>
 *
 * <p>Immutable.
 */
public sealed interface Staleness {
  /** The weight of a result {@code staleness} versions old, in (0, 1]. */
  double weight(long staleness);

  /** The function as {@link #parse} reads it, such as {@code polynomial:0.5}. */
  String spec();

  /**
   * Whether {@code other} gives every staleness the same weight as this function, however the two were written:
   * {@code polynomial:0.5} and {@code polynomial:0.50} are one function, and {@code constant}, {@code polynomial:0}
   * and {@code hinge:0:B} are another. For comparing a stored run's settings with those of its resume.
   */
  default boolean sameWeights(Staleness other) {
    return canonical(this).equals(canonical(other));
  }

  /** Every result counts fully. */
  static Staleness constant() {
    return new Constant();
  }

  /** {@code (1 + τ)^-exponent}. */
  static Staleness polynomial(double exponent) {
    return new Polynomial(exponent);
  }

  /** 1 up to {@code cutoff} versions, then {@code 1 / (slope (τ − cutoff) + 1)}. */
  static Staleness hinge(double slope, double cutoff) {
    return new Hinge(slope, cutoff);
  }

  /**
   * Reads {@code constant}, {@code polynomial:A} or {@code hinge:A:B}.
   *
   * @throws IllegalArgumentException naming the spec if it is none of these or a number is out of range
   */
  static Staleness parse(String spec) {
    String[] parts = spec.trim().toLowerCase(Locale.ROOT).split(":", -1);
    try {
      switch (parts[0]) {
        case "constant":
          if (parts.length == 1) {
            return constant();
          }
          break;
        case "polynomial":
          if (parts.length == 2) {
            return polynomial(Double.parseDouble(parts[1]));
          }
          break;
        case "hinge":
          if (parts.length == 3) {
            return hinge(Double.parseDouble(parts[1]), Double.parseDouble(parts[2]));
          }
          break;
        default:
          break;
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad staleness function '" + spec + "': " + e.getMessage());
    }
    throw new IllegalArgumentException("unknown staleness function '" + spec
        + "'; expected constant, polynomial:A or hinge:A:B");
  }

  /** {@code s(τ) = 1}. */
  record Constant() implements Staleness {
    @Override
    public double weight(long staleness) {
      checkStaleness(staleness);
      return 1;
    }

    @Override
    public String spec() {
      return "constant";
    }
  }

  /** {@code s(τ) = (1 + τ)^-exponent}. */
  record Polynomial(double exponent) implements Staleness {
    public Polynomial {
      if (!(exponent >= 0) || Double.isInfinite(exponent)) {
        throw new IllegalArgumentException("the polynomial staleness exponent must be finite and >= 0, got "
            + exponent);
      }
    }

    @Override
    public double weight(long staleness) {
      checkStaleness(staleness);
      return Math.pow(1 + staleness, -exponent);
    }

    @Override
    public String spec() {
      return "polynomial:" + exponent;
    }
  }

  /** {@code s(τ) = 1} for {@code τ <= cutoff}, else {@code 1 / (slope (τ − cutoff) + 1)}. */
  record Hinge(double slope, double cutoff) implements Staleness {
    public Hinge {
      if (!(slope >= 0) || Double.isInfinite(slope) || !(cutoff >= 0) || Double.isInfinite(cutoff)) {
        throw new IllegalArgumentException("the hinge staleness slope and cutoff must be finite and >= 0, got "
            + slope + " and " + cutoff);
      }
    }

    @Override
    public double weight(long staleness) {
      checkStaleness(staleness);
      return staleness <= cutoff ? 1 : 1 / (slope * (staleness - cutoff) + 1);
    }

    @Override
    public String spec() {
      return "hinge:" + slope + ":" + cutoff;
    }
  }

  /** One form per function: a zero exponent or slope is {@code constant}, and {@code -0.0} is {@code 0.0}. */
  private static Staleness canonical(Staleness s) {
    if (s instanceof Polynomial p) {
      return p.exponent() == 0 ? constant() : polynomial(p.exponent());
    }
    if (s instanceof Hinge h) {
      return h.slope() == 0 ? constant() : hinge(h.slope(), h.cutoff() + 0.0);
    }
    return constant();
  }

  private static void checkStaleness(long staleness) {
    if (staleness < 0) {
      throw new IllegalArgumentException("staleness must be >= 0, got " + staleness);
    }
  }
}
