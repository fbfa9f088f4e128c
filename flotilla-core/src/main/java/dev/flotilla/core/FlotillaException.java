package dev.flotilla.core;

/**
 * The root of every exception Flotilla throws. Unchecked: most callers cannot recover from a broken invariant,
 * and those that can (the round loop, the client loop) catch it at their edge and turn it into data such as a
 * {@link dev.flotilla.core.strategy.ClientFailure}.
 */
public class FlotillaException extends RuntimeException {
  public FlotillaException(String message) {
    super(message);
  }

  public FlotillaException(String message, Throwable cause) {
    super(message, cause);
  }
}
