package dev.flotilla.core.he;

import dev.flotilla.core.message.Config;

/**
 * The parameters of Paillier aggregation.
 *
 * @param keyBits       bits of the key holder's modulus; 2048 or more outside tests
 * @param valueBits     each value of a (weighted, clipped) update is quantised to this many bits
 * @param clippingRange each value is clipped to {@code [-clippingRange, clippingRange]}
 * @param maxClients    the most clients a round may sum (the packing's headroom)
 * @param maxWeight     an update is multiplied by {@code min(1, numExamples / maxWeight)}, summed beside it
 * @param weighted      false to give every client weight 1
 */
public record HeSettings(int keyBits, int valueBits, double clippingRange, int maxClients, double maxWeight,
    boolean weighted) {
  private static final String PREFIX = "he.";

  public HeSettings {
    if (keyBits < 512 || keyBits % 2 != 0) {
      throw new IllegalArgumentException("homomorphic encryption: the key size must be even and at least 512 bits,"
          + " got " + keyBits);
    }
    if (valueBits < 2 || valueBits > 32) {
      throw new IllegalArgumentException("homomorphic encryption: the value bits must be between 2 and 32, got "
          + valueBits);
    }
    if (!(clippingRange > 0) || Double.isInfinite(clippingRange)) {
      throw new IllegalArgumentException("homomorphic encryption: the clipping range must be a positive number, got "
          + clippingRange);
    }
    if (maxClients < 1 || maxClients > (1 << 20)) {
      throw new IllegalArgumentException("homomorphic encryption: the maximum clients must be between 1 and 2^20,"
          + " got " + maxClients);
    }
    if (!(maxWeight > 0) || Double.isInfinite(maxWeight)) {
      throw new IllegalArgumentException("homomorphic encryption: the maximum weight must be a positive number, got "
          + maxWeight);
    }
  }

  /** 2048-bit keys, 16-bit values within ±8, up to 128 clients, maximum weight 1000, weighted. */
  public static HeSettings defaults() {
    return new HeSettings(2048, 16, 8.0, 128, 1000, true);
  }

  /** Bits above each packed value for the carries of a sum of {@link #maxClients()} values. */
  public int headroomBits() {
    return 32 - Integer.numberOfLeadingZeros(maxClients - 1);
  }

  /** The packing for a key of these settings. */
  public PackedEncoding packing() {
    return new PackedEncoding(keyBits - 1, valueBits, headroomBits());
  }

  /** These settings as config entries. */
  public Config toConfig() {
    return Config.of(PREFIX + "key_bits", keyBits, PREFIX + "value_bits", valueBits,
        PREFIX + "clipping_range", clippingRange, PREFIX + "max_clients", maxClients,
        PREFIX + "max_weight", maxWeight, PREFIX + "weighted", weighted);
  }

  /** The settings in {@code config}; throws {@link IllegalArgumentException} if one is missing or invalid. */
  public static HeSettings fromConfig(Config config) {
    for (String key : new String[] {"key_bits", "value_bits", "clipping_range", "max_clients", "max_weight",
        "weighted"}) {
      if (!config.has(PREFIX + key)) {
        throw new IllegalArgumentException("homomorphic encryption: the request lacks " + PREFIX + key);
      }
    }
    return new HeSettings(config.getInt(PREFIX + "key_bits", 0), config.getInt(PREFIX + "value_bits", 0),
        config.getDouble(PREFIX + "clipping_range", 0), config.getInt(PREFIX + "max_clients", 0),
        config.getDouble(PREFIX + "max_weight", 0), config.getBoolean(PREFIX + "weighted", true));
  }
}
