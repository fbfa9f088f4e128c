package dev.flotilla.core.secagg;

import java.util.random.RandomGenerator;

/**
 * Maps real values onto the integers {@code 0 … levels - 1} and back, as SecAgg+ needs to sum them in a ring: a value
 * is clipped to {@code [-range, range]}, scaled onto the levels and rounded stochastically (up with the probability
 * of its fractional part), so that the quantised value is an unbiased estimate of the clipped one and the error of a
 * sum of {@code n} values has standard deviation at most {@code √n · step / 2}, with
 * {@code step = 2·range / (levels - 1)}. The sum of {@code n} quantised values maps back with
 * {@link #dequantizeSum}. Ring values are held in Java {@code int}s and summed modulo 2^32; a smaller power-of-two
 * modulus is applied by {@link #reduce}.
 *
 * <p>Immutable; thread-safe given one random generator per thread.
 */
public final class RingQuantizer {
  private final double range;
  private final long levels;
  private final double scale; // levels per unit
  private final double step;

  /**
   * @param range  values are clipped to {@code [-range, range]}
   * @param levels quantisation levels, at least 2 and at most 2^32
   */
  public RingQuantizer(double range, long levels) {
    if (!(range > 0) || Double.isInfinite(range)) {
      throw new IllegalArgumentException("the clipping range must be a positive number, got " + range);
    }
    if (levels < 2 || levels > (1L << 32)) {
      throw new IllegalArgumentException("the quantization levels must be between 2 and 2^32, got " + levels);
    }
    this.range = range;
    this.levels = levels;
    this.scale = (levels - 1) / (2 * range);
    this.step = 2 * range / (levels - 1);
  }

  /** The quantiser of {@code settings}. */
  public static RingQuantizer of(SecAggSettings settings) {
    return new RingQuantizer(settings.clippingRange(), settings.quantizationRange());
  }

  /** The distance between two levels. */
  public double step() {
    return step;
  }

  /** {@code value}, clipped, as a level (an unsigned int), rounded stochastically with {@code random}. */
  public int quantize(double value, RandomGenerator random) {
    double clipped = Double.isNaN(value) ? 0 : Math.max(-range, Math.min(range, value));
    double scaled = (clipped + range) * scale;
    long floor = (long) Math.floor(scaled);
    double fraction = scaled - floor;
    long level = floor + (random.nextDouble() < fraction ? 1 : 0);
    return (int) Math.min(levels - 1, Math.max(0, level));
  }

  /** The real sum of {@code count} values whose levels sum to {@code levelSum} (taken as unsigned). */
  public double dequantizeSum(long levelSum, int count) {
    return levelSum * step - count * range;
  }

  /** {@code ringValue} modulo {@code modulus} (a power of two up to 2^32), as an unsigned number. */
  public static long reduce(int ringValue, long modulus) {
    return Integer.toUnsignedLong(ringValue) & (modulus - 1);
  }
}
