package dev.flotilla.core.strategy;

import java.util.Objects;

/** Instructions addressed to one client. */
public record ClientTask<I>(String clientId, I instructions) {
  public ClientTask {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(instructions, "instructions");
  }
}
