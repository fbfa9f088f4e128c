package dev.flotilla.core.secagg;

import dev.flotilla.core.message.Config;

/**
 * The parameters of SecAgg+, with the names and defaults of the established implementations. A round's clients
 * are placed on a ring; each client shares its secrets with, and masks against, the {@code numShares - 1} clients
 * nearest to it on the ring ({@code numShares} counts the client itself), and any {@code threshold} of those can
 * reconstruct them. Each value of an update is clipped to {@code [-clippingRange, clippingRange]}, mapped onto
 * {@code quantizationRange} levels, and summed modulo {@code modulus}; the sum of a round's quantised values must stay
 * below the modulus, so {@code clients · (quantizationRange - 1) < modulus}.
 *
 * @param numShares         shares of each client's secrets (the client and its neighbours); odd, at least 3
 * @param threshold         shares needed to reconstruct a secret; between 2 and {@code numShares}. A round whose
 *                          survivors cannot supply that many fails closed. Above {@code numShares / 2} is the safe
 *                          choice: fewer colluding neighbours than that learn nothing
 * @param clippingRange     each value of the (weighted) update is clipped to this range
 * @param quantizationRange levels of the quantiser, at least 2
 * @param modulus           the ring's modulus: a power of two from 2^8 to 2^32
 * @param maxWeight         a client's update is multiplied by {@code numExamples / maxWeight} (at most 1), and that
 *                          factor is summed beside it, so that the server gets the example-weighted mean
 * @param weighted          false to give every client weight 1 (the unweighted mean, as central DP needs)
 */
public record SecAggSettings(int numShares, int threshold, double clippingRange, long quantizationRange,
    long modulus, double maxWeight, boolean weighted) {
  /** Default clipping range. */
  public static final double DEFAULT_CLIPPING_RANGE = 8.0;
  /** Default quantisation range, 2^22. */
  public static final long DEFAULT_QUANTIZATION_RANGE = 1L << 22;
  /** Default modulus, 2^32. */
  public static final long DEFAULT_MODULUS = 1L << 32;
  /** Default maximum weight. */
  public static final double DEFAULT_MAX_WEIGHT = 1000.0;

  private static final String PREFIX = "secagg.";

  public SecAggSettings {
    if (numShares < 3 || numShares % 2 == 0) {
      throw new IllegalArgumentException("secure aggregation: the number of shares must be odd and at least 3 (the"
          + " client and an equal number of neighbours on each side), got " + numShares);
    }
    if (threshold < 2 || threshold > numShares) {
      throw new IllegalArgumentException("secure aggregation: the reconstruction threshold must be between 2 and the"
          + " number of shares " + numShares + ", got " + threshold);
    }
    if (!(clippingRange > 0) || Double.isInfinite(clippingRange)) {
      throw new IllegalArgumentException("secure aggregation: the clipping range must be a positive number, got "
          + clippingRange);
    }
    if (modulus < (1L << 8) || modulus > (1L << 32) || Long.bitCount(modulus) != 1) {
      throw new IllegalArgumentException("secure aggregation: the modulus must be a power of two from 2^8 to 2^32,"
          + " got " + modulus);
    }
    if (quantizationRange < 2 || quantizationRange > modulus) {
      throw new IllegalArgumentException("secure aggregation: the quantization range must be between 2 and the"
          + " modulus " + modulus + ", got " + quantizationRange);
    }
    if (!(maxWeight > 0) || Double.isInfinite(maxWeight)) {
      throw new IllegalArgumentException("secure aggregation: the maximum weight must be a positive number, got "
          + maxWeight);
    }
  }

  /** The defaults with {@code numShares} and {@code threshold}, weighted by examples. */
  public static SecAggSettings of(int numShares, int threshold) {
    return new SecAggSettings(numShares, threshold, DEFAULT_CLIPPING_RANGE, DEFAULT_QUANTIZATION_RANGE,
        DEFAULT_MODULUS, DEFAULT_MAX_WEIGHT, true);
  }

  /** The same settings, weighted by examples or not. */
  public SecAggSettings withWeighted(boolean value) {
    return new SecAggSettings(numShares, threshold, clippingRange, quantizationRange, modulus, maxWeight, value);
  }

  /** The most clients whose quantised values can be summed without wrapping around the modulus. */
  public long maxClients() {
    return (modulus - 1) / (quantizationRange - 1);
  }

  /**
   * Why a round of {@code clients} clients cannot run with these settings, or null if it can: fewer clients than the
   * threshold, or more than {@link #maxClients()}.
   */
  public String problemFor(int clients) {
    if (clients < threshold) {
      return clients + " clients, fewer than the reconstruction threshold " + threshold;
    }
    if (clients > maxClients()) {
      return clients + " clients of quantization range " + quantizationRange + " would overflow the modulus "
          + modulus + " (at most " + maxClients() + " clients; lower the quantization range or raise the modulus)";
    }
    return null;
  }

  /** These settings as config entries, for the setup message. */
  public Config toConfig() {
    return Config.of(PREFIX + "num_shares", numShares, PREFIX + "threshold", threshold,
        PREFIX + "clipping_range", clippingRange, PREFIX + "quantization_range", quantizationRange,
        PREFIX + "modulus", modulus, PREFIX + "max_weight", maxWeight, PREFIX + "weighted", weighted);
  }

  /**
   * The settings in {@code config}, as {@link #toConfig()} wrote them.
   *
   * @throws IllegalArgumentException if one is missing or invalid
   */
  public static SecAggSettings fromConfig(Config config) {
    for (String key : new String[] {"num_shares", "threshold", "clipping_range", "quantization_range", "modulus",
        "max_weight", "weighted"}) {
      if (!config.has(PREFIX + key)) {
        throw new IllegalArgumentException("secure aggregation: the setup lacks " + PREFIX + key);
      }
    }
    return new SecAggSettings(config.getInt(PREFIX + "num_shares", 0), config.getInt(PREFIX + "threshold", 0),
        config.getDouble(PREFIX + "clipping_range", 0), config.getLong(PREFIX + "quantization_range", 0),
        config.getLong(PREFIX + "modulus", 0), config.getDouble(PREFIX + "max_weight", 0),
        config.getBoolean(PREFIX + "weighted", true));
  }
}
