package dev.flotilla.core.he;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * The Paillier cryptosystem (Paillier, "Public-Key Cryptosystems Based on Composite Degree Residuosity Classes",
 * EUROCRYPT 1999) with generator {@code g = n + 1}: {@code E(m) = (1 + m·n) · rⁿ mod n²}, and
 * {@code E(a) · E(b) mod n² = E(a + b mod n)}, so a server can add encrypted values without the private key.
 * Decryption uses the Chinese remainder theorem over {@code p²} and {@code q²}.
 *
 * <p>Keys are immutable; thread-safe.
 */
public final class Paillier {
  private Paillier() {}

  /**
   * A public key.
   *
   * @param n the modulus {@code p·q}
   */
  public record PublicKey(BigInteger n) {
    public PublicKey {
      Objects.requireNonNull(n, "n");
      if (n.bitLength() < 512 || !n.testBit(0)) {
        throw new IllegalArgumentException("a Paillier modulus must be odd and at least 512 bits, got "
            + n.bitLength() + " bits");
      }
    }

    /** {@code n²}. */
    public BigInteger nSquared() {
      return n.multiply(n);
    }

    /** Bytes of a ciphertext, fixed-length big-endian. */
    public int ciphertextBytes() {
      return (2 * n.bitLength() + 7) / 8;
    }

    /** Bits of plaintext a ciphertext holds without wrapping around (one less than {@code n}'s). */
    public int plaintextBits() {
      return n.bitLength() - 1;
    }

    /** The encryption of {@code m} ({@code 0 ≤ m < n}) with fresh randomness. */
    public BigInteger encrypt(BigInteger m, SecureRandom random) {
      return encrypt(m, randomizer(random));
    }

    /**
     * A fresh {@code rⁿ mod n²} for a random unit {@code r}: the costly part of an encryption, which does not depend
     * on the plaintext and so can be made ahead of time (while the client trains). Use each for one encryption only.
     */
    public BigInteger randomizer(SecureRandom random) {
      BigInteger r;
      do {
        r = new BigInteger(n.bitLength(), random);
      } while (r.signum() == 0 || r.compareTo(n) >= 0 || !r.gcd(n).equals(BigInteger.ONE));
      return r.modPow(n, nSquared());
    }

    /** The encryption of {@code m} ({@code 0 ≤ m < n}) with a randomizer made by {@link #randomizer}. */
    public BigInteger encrypt(BigInteger m, BigInteger randomizer) {
      if (m.signum() < 0 || m.compareTo(n) >= 0) {
        throw new IllegalArgumentException("a Paillier plaintext must be in [0, n)");
      }
      BigInteger n2 = nSquared();
      return BigInteger.ONE.add(m.multiply(n)).mod(n2).multiply(randomizer).mod(n2);
    }

    /** The encryption of the sum of the plaintexts of {@code a} and {@code b}. */
    public BigInteger add(BigInteger a, BigInteger b) {
      return a.multiply(b).mod(nSquared());
    }

    /** The raw bytes of {@code n}, big-endian. */
    public byte[] toBytes() {
      return n.toByteArray();
    }

    /** The key of {@link #toBytes()}. */
    public static PublicKey fromBytes(byte[] bytes) {
      return new PublicKey(new BigInteger(1, bytes));
    }
  }

  /**
   * A key pair: the public key and the primes.
   *
   * @param publicKey the public key
   * @param p         one prime
   * @param q         the other
   */
  public record KeyPair(PublicKey publicKey, BigInteger p, BigInteger q) {
    public KeyPair {
      Objects.requireNonNull(publicKey, "publicKey");
      if (!p.multiply(q).equals(publicKey.n())) {
        throw new IllegalArgumentException("the primes do not multiply to the public modulus");
      }
    }

    /** The plaintext of {@code c}, in {@code [0, n)}. */
    public BigInteger decrypt(BigInteger c) {
      BigInteger mp = part(c, p, q);
      BigInteger mq = part(c, q, p);
      // CRT: m ≡ mp (mod p), m ≡ mq (mod q)
      BigInteger u = mq.subtract(mp).multiply(p.modInverse(q)).mod(q);
      return mp.add(u.multiply(p));
    }

    /** {@code m mod p} from {@code c}: {@code L_p(c^(p-1) mod p²) · h_p mod p}, with {@code g = n + 1}. */
    private BigInteger part(BigInteger c, BigInteger p, BigInteger q) {
      BigInteger p2 = p.multiply(p);
      BigInteger pm1 = p.subtract(BigInteger.ONE);
      BigInteger l = c.mod(p2).modPow(pm1, p2).subtract(BigInteger.ONE).divide(p);
      BigInteger g = publicKey.n().add(BigInteger.ONE);
      BigInteger hp = g.mod(p2).modPow(pm1, p2).subtract(BigInteger.ONE).divide(p).modInverse(p);
      return l.multiply(hp).mod(p);
    }
  }

  /** A fresh key pair with a modulus of {@code bits} bits (2048 or more for real use). */
  public static KeyPair generate(int bits, SecureRandom random) {
    if (bits < 512 || bits % 2 != 0) {
      throw new IllegalArgumentException("a Paillier key has an even number of bits, at least 512, got " + bits);
    }
    while (true) {
      BigInteger p = BigInteger.probablePrime(bits / 2, random);
      BigInteger q = BigInteger.probablePrime(bits / 2, random);
      BigInteger n = p.multiply(q);
      if (!p.equals(q) && n.bitLength() == bits) {
        return new KeyPair(new PublicKey(n), p, q);
      }
    }
  }
}
