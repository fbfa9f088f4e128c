package dev.flotilla.transport;

import dev.flotilla.core.FlotillaException;

/**
 * The connection to the peer ended (it hung up, the network failed, it was replaced or shut down) before an
 * operation on it could complete.
 */
public class ConnectionClosedException extends FlotillaException {
  public ConnectionClosedException(String message) {
    super(message);
  }

  public ConnectionClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
