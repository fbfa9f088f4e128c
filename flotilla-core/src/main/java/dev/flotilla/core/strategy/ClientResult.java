package dev.flotilla.core.strategy;

import java.util.Objects;

/** A result from one client. */
public record ClientResult<R>(String clientId, R result) {
  public ClientResult {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(result, "result");
  }
}
