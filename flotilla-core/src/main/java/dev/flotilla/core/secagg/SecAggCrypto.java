package dev.flotilla.core.secagg;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The JDK's cryptography as SecAgg+ uses it: X25519 key pairs (RFC 7748) whose keys travel as 32 raw bytes, key
 * agreement followed by HKDF-SHA256 (RFC 5869) with a purpose label, and AES-256-GCM for the shares a client sends
 * its neighbours through the server.
 *
 * <p>Stateless; thread-safe.
 */
public final class SecAggCrypto {
  /** Bytes of a raw X25519 key, public or private. */
  public static final int KEY_BYTES = 32;
  /** HKDF label of the key that encrypts shares between two clients. */
  public static final String SHARE_KEY_LABEL = "flotilla secagg+ share encryption";
  /** HKDF label of the seed of the pairwise mask between two clients. */
  public static final String MASK_SEED_LABEL = "flotilla secagg+ pairwise mask";
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final byte[] BASE_POINT = basePoint();

  private SecAggCrypto() {}

  /** A fresh X25519 key pair. */
  public static KeyPair generateKeyPair(SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("X25519");
      generator.initialize(NamedParameterSpec.X25519, random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("X25519 is not available", e);
    }
  }

  /** The raw 32 bytes (little-endian u-coordinate) of {@code key}'s public key. */
  public static byte[] publicBytes(KeyPair key) {
    BigInteger u = ((XECPublicKey) key.getPublic()).getU();
    byte[] be = u.toByteArray();
    byte[] le = new byte[KEY_BYTES];
    for (int i = 0; i < Math.min(KEY_BYTES, be.length); i++) {
      le[i] = be[be.length - 1 - i];
    }
    return le;
  }

  /** The raw 32-byte scalar of {@code key}'s private key. */
  public static byte[] privateBytes(KeyPair key) {
    return ((XECPrivateKey) key.getPrivate()).getScalar()
        .orElseThrow(() -> new IllegalStateException("the X25519 private key does not expose its scalar"));
  }

  /**
   * The 32-byte secret that the holder of private key {@code privateKey} shares with the holder of public key
   * {@code peerPublic} (both raw), through X25519 and HKDF-SHA256 with {@code label}.
   *
   * @throws IllegalArgumentException if a key is malformed or the agreement is degenerate (a low-order point)
   */
  public static byte[] agree(byte[] privateKey, byte[] peerPublic, String label) {
    return hkdf(rawAgreement(privateKey, peerPublic), label.getBytes(StandardCharsets.UTF_8));
  }

  /** The raw public key of the raw private key {@code privateKey}: X25519 of the scalar and the base point. */
  public static byte[] publicOf(byte[] privateKey) {
    return rawAgreement(privateKey, BASE_POINT);
  }

  private static byte[] rawAgreement(byte[] privateKey, byte[] peerPublic) {
    requireKey(privateKey, "private");
    requireKey(peerPublic, "public");
    try {
      KeyFactory factory = KeyFactory.getInstance("X25519");
      PrivateKey own = factory.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, privateKey));
      byte[] be = new byte[KEY_BYTES];
      for (int i = 0; i < KEY_BYTES; i++) {
        be[i] = peerPublic[KEY_BYTES - 1 - i];
      }
      be[0] &= 0x7f; // RFC 7748: the top bit of the u-coordinate is ignored
      PublicKey peer = factory.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, be)));
      KeyAgreement agreement = KeyAgreement.getInstance("X25519");
      agreement.init(own);
      agreement.doPhase(peer, true);
      return agreement.generateSecret();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("X25519 key agreement failed: " + e.getMessage(), e);
    }
  }

  /** HKDF-SHA256 (RFC 5869) of {@code inputKey} with an all-zero salt and {@code info}: 32 bytes. */
  public static byte[] hkdf(byte[] inputKey, byte[] info) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
      byte[] prk = mac.doFinal(inputKey);
      mac.init(new SecretKeySpec(prk, "HmacSHA256"));
      mac.update(info);
      mac.update((byte) 1);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }

  /** {@code plaintext} under AES-256-GCM with {@code key} and associated data {@code aad}: IV then ciphertext. */
  public static byte[] encrypt(byte[] key, byte[] plaintext, byte[] aad, SecureRandom random) {
    byte[] iv = new byte[IV_BYTES];
    random.nextBytes(iv);
    try {
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, iv));
      gcm.updateAAD(aad);
      byte[] sealed = gcm.doFinal(plaintext);
      return ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /**
   * The plaintext of {@code ciphertext} made by {@link #encrypt} with the same key and associated data.
   *
   * @throws IllegalArgumentException if it was not (a wrong key, altered bytes or associated data)
   */
  public static byte[] decrypt(byte[] key, byte[] ciphertext, byte[] aad) {
    if (ciphertext.length < IV_BYTES + TAG_BITS / 8) {
      throw new IllegalArgumentException("an encrypted share of " + ciphertext.length + " bytes is too short");
    }
    try {
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
          new GCMParameterSpec(TAG_BITS, Arrays.copyOf(ciphertext, IV_BYTES)));
      gcm.updateAAD(aad);
      return gcm.doFinal(ciphertext, IV_BYTES, ciphertext.length - IV_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("an encrypted share does not decrypt (wrong key or altered bytes)", e);
    }
  }

  /** Bytes of the ciphertext of a plaintext of {@code plaintextBytes}. */
  public static int ciphertextBytes(int plaintextBytes) {
    return IV_BYTES + plaintextBytes + TAG_BITS / 8;
  }

  private static void requireKey(byte[] key, String kind) {
    if (key == null || key.length != KEY_BYTES) {
      throw new IllegalArgumentException("an X25519 " + kind + " key has " + KEY_BYTES + " bytes, got "
          + (key == null ? "none" : key.length));
    }
  }

  private static byte[] basePoint() {
    byte[] u = new byte[KEY_BYTES];
    u[0] = 9;
    return u;
  }
}
