package dev.flotilla.transport;

import dev.flotilla.core.FlotillaException;

/**
 * The peer sent frames that break the protocol: a corrupt or truncated array, a header that does not add up, frames
 * out of order. The connection that carried them cannot be trusted any more and is closed.
 */
public class ProtocolException extends FlotillaException {
  /** An exception with {@code message}, which names what was wrong. */
  public ProtocolException(String message) {
    super(message);
  }

  /** An exception with {@code message} and the {@code cause} behind it. */
  public ProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}
