package dev.flotilla.transport.security;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * A client's public key and the client id it is bound to: one line of a server's {@link AuthorizedKeys} file and the
 * whole of a client's {@code client.pub}. The line reads, like OpenSSH's:
 * <pre>{@code ed25519 MCowBQYDK2VwAyEA...base64... site-1}</pre>
 * the key type, the base64 of the key's X.509 {@code SubjectPublicKeyInfo} (its {@link PublicKey#getEncoded()}),
 * and the client id. Only Ed25519 keys are known so far.
 *
 * @param clientId  the id the client says in its hello: 1 to {@value #MAX_CLIENT_ID_LENGTH} characters, none of them
 *                  white space or control characters
 * @param publicKey the key whose private half the client proves it holds; Ed25519
 */
public record AuthorizedKey(String clientId, PublicKey publicKey) {
  /** The key type of an Ed25519 key, the first word of its line. */
  public static final String ED25519 = "ed25519";
  /** The longest client id a key can be bound to. */
  public static final int MAX_CLIENT_ID_LENGTH = 128;

  public AuthorizedKey {
    checkClientId(clientId);
    Objects.requireNonNull(publicKey, "publicKey");
    if (!isEd25519(publicKey)) {
      throw new IllegalArgumentException("client keys must be Ed25519, got a " + publicKey.getAlgorithm() + " key");
    }
  }

  /**
   * Returns {@code clientId} if a key can be bound to it, else throws {@link IllegalArgumentException} naming what
   * is wrong with it.
   */
  public static String checkClientId(String clientId) {
    if (clientId == null || clientId.isEmpty()) {
      throw new IllegalArgumentException("a client id must not be empty");
    }
    if (clientId.length() > MAX_CLIENT_ID_LENGTH) {
      throw new IllegalArgumentException("client id '" + clientId.substring(0, 16) + "...' is longer than "
          + MAX_CLIENT_ID_LENGTH + " characters");
    }
    for (int i = 0; i < clientId.length(); i++) {
      char c = clientId.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
        throw new IllegalArgumentException("client id '" + clientId.replaceAll("\\p{Cntrl}", "?")
            + "' contains white space or a control character at position " + i);
      }
    }
    return clientId;
  }

  /**
   * The key of one line ({@code TYPE BASE64 CLIENT-ID}, words separated by white space); throws
   * {@link IllegalArgumentException} naming what is wrong with it.
   */
  public static AuthorizedKey parse(String line) {
    String[] words = line.strip().split("\\s+");
    if (words.length != 3) {
      throw new IllegalArgumentException("expected 3 words, 'ed25519 KEY CLIENT-ID', got " + words.length);
    }
    if (!words[0].equals(ED25519)) {
      throw new IllegalArgumentException("unknown key type '" + words[0] + "'; known: " + ED25519);
    }
    byte[] encoded;
    try {
      encoded = Base64.getDecoder().decode(words[1]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the key is not valid base64: " + e.getMessage());
    }
    PublicKey key;
    try {
      key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("the key is not an Ed25519 public key: " + e.getMessage());
    }
    return new AuthorizedKey(words[2], key);
  }

  /** This key as one line, without a line break: what {@link #parse} reads. */
  public String toLine() {
    return ED25519 + " " + Base64.getEncoder().encodeToString(publicKey.getEncoded()) + " " + clientId;
  }

  /** Whether this and {@code other} hold the same public key, whatever their client ids. */
  public boolean sameKey(PublicKey other) {
    return Arrays.equals(publicKey.getEncoded(), other.getEncoded());
  }

  @Override
  public String toString() {
    return toLine();
  }

  private static boolean isEd25519(PublicKey key) {
    return key.getAlgorithm().equals("Ed25519")
        || key.getAlgorithm().equals("EdDSA") && key instanceof EdECPublicKey e
        && e.getParams().getName().equals("Ed25519");
  }
}
