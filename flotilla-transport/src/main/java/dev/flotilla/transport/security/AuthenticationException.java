package dev.flotilla.transport.security;

import dev.flotilla.core.FlotillaException;

/**
 * A peer failed to prove who it says it is: an unknown client id, a signature that does not verify, a challenge
 * answered twice. The connection is to be refused (gRPC's {@code UNAUTHENTICATED}). The message is for the server's
 * log: it names the client (made printable) and what failed, though a wrong key and a tampered signature read the
 * same. A server should tell the peer less, such as that authentication failed, so that it learns nothing about
 * which ids exist.
 */
public class AuthenticationException extends FlotillaException {
  /** An exception with {@code message}, which names what failed. */
  public AuthenticationException(String message) {
    super(message);
  }
}
