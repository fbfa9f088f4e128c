package dev.flotilla.transport;

import dev.flotilla.core.FlotillaException;

/**
 * The connection to the peer ended (it hung up, the network failed, it was replaced or shut down) before an
 * operation on it could complete.
 */
public class ConnectionClosedException extends FlotillaException {
  /** An exception with {@code message}, which names what was wrong. */
  public ConnectionClosedException(String message) {
    super(message);
  }

  /** An exception with {@code message} and the {@code cause} behind it. */
  public ConnectionClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
