package dev.flotilla.core.secagg;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The pseudorandom generator of SecAgg+'s masks: a 32-byte seed keys AES-256 in counter mode (zero IV), and the
 * key stream, read as little-endian 32-bit words, is the mask. The same seed gives the same mask on the client that
 * adds it and on the server that removes it. A mask is uniform on the ring modulo 2^32, and so modulo any power of
 * two below.
 *
 * <p>Stateless; thread-safe.
 */
public final class MaskExpander {
  /** Seed length in bytes. */
  public static final int SEED_BYTES = 32;
  private static final int CHUNK_INTS = 16 * 1024;

  private MaskExpander() {}

  /**
   * Adds ({@code sign = 1}) or subtracts ({@code sign = -1}) the mask of {@code seed} to the first
   * {@code acc.length} ring values of {@code acc}, modulo 2^32.
   */
  public static void apply(int[] acc, byte[] seed, int sign) {
    if (seed.length != SEED_BYTES) {
      throw new IllegalArgumentException("a mask seed has " + SEED_BYTES + " bytes, got " + seed.length);
    }
    if (sign != 1 && sign != -1) {
      throw new IllegalArgumentException("the sign of a mask is 1 or -1, got " + sign);
    }
    Cipher aes;
    try {
      aes = Cipher.getInstance("AES/CTR/NoPadding");
      aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(seed, "AES"), new IvParameterSpec(new byte[16]));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-CTR is not available", e);
    }
    byte[] zeros = new byte[CHUNK_INTS * 4];
    byte[] stream = new byte[CHUNK_INTS * 4];
    ByteBuffer words = ByteBuffer.wrap(stream).order(ByteOrder.LITTLE_ENDIAN);
    for (int from = 0; from < acc.length; from += CHUNK_INTS) {
      int n = Math.min(CHUNK_INTS, acc.length - from);
      try {
        aes.update(zeros, 0, n * 4, stream, 0);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-CTR failed", e);
      }
      if (sign == 1) {
        for (int i = 0; i < n; i++) {
          acc[from + i] += words.getInt(i * 4);
        }
      } else {
        for (int i = 0; i < n; i++) {
          acc[from + i] -= words.getInt(i * 4);
        }
      }
    }
  }
}
