package dev.flotilla.core.strategy;

import java.util.Objects;

/**
 * A client that did not deliver a usable result in a round. Failures are data handed to the strategy, never
 * exceptions that stop the round.
 *
 * @param clientId which client
 * @param kind     what went wrong
 * @param reason   a human-readable explanation naming the problem
 */
public record ClientFailure(String clientId, Kind kind, String reason) {
  /** The kinds of failure. */
  public enum Kind {
    /** The connection was lost before the result arrived. */
    DISCONNECTED,
    /** No result before the round's deadline. */
    TIMEOUT,
    /** The result arrived but was invalid (wrong shape, NaN, corrupt bytes…). */
    REJECTED,
    /** The client reported that it could not carry out the instructions. */
    CLIENT_ERROR
  }

  public ClientFailure {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(reason, "reason");
  }
}
