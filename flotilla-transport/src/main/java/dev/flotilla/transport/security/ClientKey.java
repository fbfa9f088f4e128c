package dev.flotilla.transport.security;

import dev.flotilla.core.FlotillaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.List;
import java.util.Objects;

/**
 * A client's identity: its id and the Ed25519 key pair that proves it. The server admits the client if its
 * {@link AuthorizedKeys} bind that id to {@link #authorizedKey()}'s public key, and the client answers the server's
 * challenge with {@link #sign}.
 *
 * <p>On disk a key is two files in one folder: {@value #PRIVATE_KEY_FILE}, the private key as PKCS#8 PEM readable
 * by its owner alone, and {@value #PUBLIC_KEY_FILE}, the {@link AuthorizedKey} line to give the server's operator.
 * Immutable and thread-safe.
 */
public final class ClientKey {
  /** The name of the private key's file in a key folder. */
  public static final String PRIVATE_KEY_FILE = "client.key";
  /** The name of the public key's file in a key folder. */
  public static final String PUBLIC_KEY_FILE = "client.pub";

  private final AuthorizedKey authorizedKey;
  private final PrivateKey privateKey;

  private ClientKey(AuthorizedKey authorizedKey, PrivateKey privateKey) {
    this.authorizedKey = authorizedKey;
    this.privateKey = privateKey;
  }

  /** A new key pair for {@code clientId}, from the JDK's Ed25519 generator and its default {@code SecureRandom}. */
  public static ClientKey generate(String clientId) {
    AuthorizedKey.checkClientId(clientId);
    KeyPair pair;
    try {
      pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new FlotillaException("this JVM cannot generate Ed25519 keys: " + e.getMessage(), e);
    }
    return new ClientKey(new AuthorizedKey(clientId, pair.getPublic()), pair.getPrivate());
  }

  /**
   * The key in folder {@code dir} ({@value #PRIVATE_KEY_FILE} and {@value #PUBLIC_KEY_FILE}). Throws
   * {@link FlotillaException} on one line for a missing or unreadable file, or a private key that is not the
   * public key's other half.
   */
  public static ClientKey read(Path dir) {
    return read(dir.resolve(PRIVATE_KEY_FILE), dir.resolve(PUBLIC_KEY_FILE));
  }

  /** The key in {@code privateKeyFile} with the id and public key of {@code publicKeyFile}; see {@link #read(Path)}. */
  public static ClientKey read(Path privateKeyFile, Path publicKeyFile) {
    List<String> lines = PemFiles.readText(publicKeyFile, "public key").lines()
        .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    if (lines.size() != 1) {
      throw new FlotillaException("public key file " + publicKeyFile + " must hold one key line, not " + lines.size());
    }
    AuthorizedKey authorized;
    try {
      authorized = AuthorizedKey.parse(lines.get(0));
    } catch (IllegalArgumentException e) {
      throw new FlotillaException("public key file " + publicKeyFile + ": " + e.getMessage());
    }
    PrivateKey key = PemFiles.readPrivateKey(privateKeyFile);
    if (!key.getAlgorithm().equals("EdDSA") && !key.getAlgorithm().equals("Ed25519")) {
      throw new FlotillaException("private key " + privateKeyFile + " is a " + key.getAlgorithm()
          + " key; client keys are Ed25519 (make one with: flotilla keys generate)");
    }
    if (!Keys.match(key, authorized.publicKey())) {
      throw new FlotillaException("private key " + privateKeyFile + " is not the other half of public key "
          + publicKeyFile);
    }
    return new ClientKey(authorized, key);
  }

  /**
   * Writes this key into folder {@code dir} (created if missing): {@value #PRIVATE_KEY_FILE} with mode 600 and
   * {@value #PUBLIC_KEY_FILE}. Refuses to overwrite either file.
   */
  public void write(Path dir) {
    Path privateFile = dir.resolve(PRIVATE_KEY_FILE);
    Path publicFile = dir.resolve(PUBLIC_KEY_FILE);
    for (Path p : List.of(privateFile, publicFile)) {
      if (Files.exists(p)) {
        throw new FlotillaException(p + " already exists; remove it or write the key elsewhere");
      }
    }
    PemFiles.writePrivateKey(privateFile, privateKey);
    PemFiles.writePublic(publicFile, authorizedKey.toLine() + "\n");
  }

  /** The client id this key proves. */
  public String clientId() {
    return authorizedKey.clientId();
  }

  /** The public half with the client id: the line for the server's authorized keys file. */
  public AuthorizedKey authorizedKey() {
    return authorizedKey;
  }

  /**
   * The answer to a server's {@code challenge} on a connection whose {@link ChannelBinding} is
   * {@code channelBinding}: an Ed25519 signature of the {@link AuthTranscript} of challenge, this client's id and
   * binding, which {@link AuthChallenge#verify} checks.
   */
  public byte[] sign(byte[] challenge, byte[] channelBinding) {
    Objects.requireNonNull(challenge, "challenge");
    Objects.requireNonNull(channelBinding, "channelBinding");
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(privateKey);
      s.update(AuthTranscript.bytes(challenge, clientId(), channelBinding));
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new FlotillaException("cannot sign with the key of client '" + clientId() + "': " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "ClientKey[" + authorizedKey.toLine() + "]"; // never the private key
  }
}
