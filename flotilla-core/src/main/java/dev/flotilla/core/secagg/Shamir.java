package dev.flotilla.core.secagg;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;

/**
 * Shamir's t-of-n secret sharing of a secret of up to 64 bytes over the prime field of the Mersenne prime
 * {@code 2^521 - 1}: a random polynomial of degree {@code t - 1} whose constant term is the secret, evaluated at each
 * holder's (non-zero) point. Any {@code t} shares give the secret back by Lagrange interpolation at zero; fewer give
 * no information about it. A share is encoded in {@value #SHARE_BYTES} bytes.
 *
 * <p>Stateless; thread-safe.
 */
public final class Shamir {
  /** The field's prime, 2^521 - 1. */
  public static final BigInteger PRIME = BigInteger.ONE.shiftLeft(521).subtract(BigInteger.ONE);
  /** Bytes of an encoded share. */
  public static final int SHARE_BYTES = 66;
  private static final int MAX_SECRET_BYTES = 64;

  private Shamir() {}

  /**
   * Shares of {@code secret} (read as an unsigned big-endian number) for the holders at {@code points} (distinct,
   * positive), any {@code threshold} of which reconstruct it.
   *
   * @return each point's encoded share
   */
  public static Map<Integer, byte[]> split(byte[] secret, int threshold, int[] points, SecureRandom random) {
    if (secret.length > MAX_SECRET_BYTES) {
      throw new IllegalArgumentException("a shared secret has at most " + MAX_SECRET_BYTES + " bytes, got "
          + secret.length);
    }
    if (threshold < 1 || threshold > points.length) {
      throw new IllegalArgumentException("the threshold must be between 1 and the " + points.length
          + " holders, got " + threshold);
    }
    BigInteger[] coefficients = new BigInteger[threshold];
    coefficients[0] = new BigInteger(1, secret);
    for (int i = 1; i < threshold; i++) {
      coefficients[i] = new BigInteger(PRIME.bitLength() + 64, random).mod(PRIME);
    }
    Map<Integer, byte[]> shares = new HashMap<>();
    for (int x : points) {
      if (x <= 0) {
        throw new IllegalArgumentException("share points must be positive, got " + x);
      }
      BigInteger bx = BigInteger.valueOf(x);
      BigInteger y = BigInteger.ZERO;
      for (int i = threshold - 1; i >= 0; i--) {
        y = y.multiply(bx).add(coefficients[i]).mod(PRIME);
      }
      if (shares.put(x, encode(y)) != null) {
        throw new IllegalArgumentException("share point " + x + " appears twice");
      }
    }
    return shares;
  }

  /**
   * The secret of {@code shares} (point to encoded share), as {@code secretBytes} big-endian bytes. Uses all the
   * shares given: pass exactly a threshold's worth, or more from the same polynomial.
   *
   * @throws IllegalArgumentException if a share is malformed or the result does not fit {@code secretBytes}
   */
  public static byte[] combine(Map<Integer, byte[]> shares, int secretBytes) {
    if (shares.isEmpty()) {
      throw new IllegalArgumentException("no shares to combine");
    }
    BigInteger secret = BigInteger.ZERO;
    for (Map.Entry<Integer, byte[]> i : shares.entrySet()) {
      BigInteger xi = BigInteger.valueOf(i.getKey());
      BigInteger numerator = BigInteger.ONE;
      BigInteger denominator = BigInteger.ONE;
      for (Integer j : shares.keySet()) {
        if (!j.equals(i.getKey())) {
          BigInteger xj = BigInteger.valueOf(j);
          numerator = numerator.multiply(xj).mod(PRIME);
          denominator = denominator.multiply(xj.subtract(xi)).mod(PRIME);
        }
      }
      BigInteger term = decode(i.getValue()).multiply(numerator).multiply(denominator.modInverse(PRIME));
      secret = secret.add(term).mod(PRIME);
    }
    byte[] raw = secret.toByteArray();
    int start = raw.length > 1 && raw[0] == 0 ? 1 : 0;
    int length = raw.length - start;
    if (length > secretBytes) {
      throw new IllegalArgumentException("the shares do not combine into a secret of " + secretBytes + " bytes");
    }
    byte[] out = new byte[secretBytes];
    System.arraycopy(raw, start, out, secretBytes - length, length);
    return out;
  }

  private static byte[] encode(BigInteger y) {
    byte[] raw = y.toByteArray();
    byte[] out = new byte[SHARE_BYTES];
    int start = raw.length > SHARE_BYTES ? raw.length - SHARE_BYTES : 0;
    System.arraycopy(raw, start, out, SHARE_BYTES - (raw.length - start), raw.length - start);
    return out;
  }

  private static BigInteger decode(byte[] share) {
    if (share.length != SHARE_BYTES) {
      throw new IllegalArgumentException("a share has " + SHARE_BYTES + " bytes, got " + share.length);
    }
    BigInteger y = new BigInteger(1, share);
    if (y.compareTo(PRIME) >= 0) {
      throw new IllegalArgumentException("a share lies outside the field");
    }
    return y;
  }
}
