package dev.flotilla.transport.security;

import dev.flotilla.core.FlotillaException;

/**
 * A peer failed to prove who it says it is: an unknown client id, a signature that does not verify, a challenge
 * answered twice. The connection is refused (gRPC's {@code UNAUTHENTICATED}); the message names the client and
 * what failed, but never which of several equally wrong things it was (a wrong key and a tampered signature read
 * the same), so that it tells a prober nothing.
 */
public class AuthenticationException extends FlotillaException {
  /** An exception with {@code message}, which names what failed. */
  public AuthenticationException(String message) {
    super(message);
  }
}
