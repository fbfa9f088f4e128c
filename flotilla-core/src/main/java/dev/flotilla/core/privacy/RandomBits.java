package dev.flotilla.core.privacy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.SplittableRandom;

/**
 * Uniform random bits for privacy noise. {@link #secure()} draws them from {@link SecureRandom}, NIST SP 800-90A's
 * {@code DRBG} (Hash_DRBG over SHA-256, seeded and reseeded from the operating system's entropy) where the JDK has it:
 * the noise of a real deployment must be unpredictable, or whoever predicts it can subtract it. {@link #seeded} is
 * reproducible and therefore <em>not private</em>: for tests and simulations, where the same seed must give the same
 * run.
 *
 * <p>Not thread-safe: use one per thread (they are cheap to make).
 */
public interface RandomBits {
  /** 64 uniform bits. */
  long nextLong();

  /** Uniform in [0, 1), with 53 random bits. */
  default double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /**
   * Uniform in [0, {@code bound}), without bias (rejection of the incomplete top range).
   *
   * @throws IllegalArgumentException if {@code bound} is not positive
   */
  default long nextLong(long bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive, got " + bound);
    }
    long limit = Long.MAX_VALUE - Long.MAX_VALUE % bound; // values >= limit would favour the low residues
    long r;
    do {
      r = nextLong() >>> 1;
    } while (r >= limit);
    return r % bound;
  }

  /** Bits from a fresh {@link SecureRandom} ({@code DRBG} if available), read 64 KiB at a time. */
  static RandomBits secure() {
    SecureRandom random;
    try {
      random = SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      random = new SecureRandom();
    }
    SecureRandom source = random;
    ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    buffer.position(buffer.limit());
    return () -> {
      if (buffer.remaining() < Long.BYTES) {
        source.nextBytes(buffer.array());
        buffer.clear();
      }
      return buffer.getLong();
    };
  }

  /** Reproducible bits from {@code seed} (SplittableRandom): not private, for tests and simulations only. */
  static RandomBits seeded(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    return random::nextLong;
  }
}
