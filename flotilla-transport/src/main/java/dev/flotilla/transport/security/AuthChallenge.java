package dev.flotilla.transport.security;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The server's side of a client's proof of its key, one per connection. The server {@link #issue}s a challenge of
 * {@value #BYTES} fresh random bytes when a client connects and sends {@link #bytes()}; the client answers with
 * {@link ClientKey#sign}; the server {@link #verify}s the answer against the key its {@link AuthorizedKeys} bind to
 * the client id the client said.
 *
 * <p>A signature covers the challenge, the client id and the connection's {@link ChannelBinding}, so it proves
 * nothing on another connection (another challenge), for another id, or relayed through another TLS server (another
 * binding). A challenge verifies at most once, right or wrong: a client gets one try per connection.
 * Thread-safe.
 */
public final class AuthChallenge {
  /** The length of a challenge: 256 bits, so that one never repeats. */
  public static final int BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] challenge;
  private final AtomicBoolean answered = new AtomicBoolean();

  private AuthChallenge(byte[] challenge) {
    this.challenge = challenge;
  }

  /** A new challenge from the JDK's default {@link SecureRandom}. */
  public static AuthChallenge issue() {
    return issue(RANDOM);
  }

  /** A new challenge of {@value #BYTES} bytes from {@code random}, which must be a cryptographic generator. */
  public static AuthChallenge issue(SecureRandom random) {
    byte[] bytes = new byte[BYTES];
    random.nextBytes(bytes);
    return new AuthChallenge(bytes);
  }

  /** The challenge to send to the client: a copy. */
  public byte[] bytes() {
    return challenge.clone();
  }

  /**
   * Checks that {@code signature} is the answer of the key that {@code keys} bind to {@code clientId}, to this
   * challenge on a connection with {@code channelBinding} ({@link ChannelBinding}, as the server computes it).
   * Returns that key; throws {@link AuthenticationException} if the client id has no key, the signature does not
   * verify, or this challenge was already answered.
   */
  public AuthorizedKey verify(AuthorizedKeys keys, String clientId, byte[] signature, byte[] channelBinding) {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(signature, "signature");
    Objects.requireNonNull(channelBinding, "channelBinding");
    String shown = printable(clientId);
    if (!answered.compareAndSet(false, true)) {
      throw new AuthenticationException("client '" + shown + "' answered a challenge that was already answered");
    }
    AuthorizedKey key = keys.find(clientId).orElseThrow(() -> new AuthenticationException(
        "client '" + shown + "' is not authorised: the authorized keys have no key for that id"));
    if (!verifies(key, signature, channelBinding)) {
      throw new AuthenticationException("client '" + shown + "' failed to prove its key: the signature does not"
          + " verify for this connection");
    }
    return key;
  }

  /** {@code id} as the peer sent it, made safe for a log line: control characters replaced, length capped. */
  private static String printable(String id) {
    String capped = id.length() > AuthorizedKey.MAX_CLIENT_ID_LENGTH
        ? id.substring(0, AuthorizedKey.MAX_CLIENT_ID_LENGTH) + "..." : id;
    return capped.replaceAll("[\\p{Cntrl}\\p{Zl}\\p{Zp}]", "?");
  }

  private boolean verifies(AuthorizedKey key, byte[] signature, byte[] channelBinding) {
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(key.publicKey());
      verifier.update(AuthTranscript.bytes(challenge, key.clientId(), channelBinding));
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false; // a malformed signature proves nothing
    }
  }
}
