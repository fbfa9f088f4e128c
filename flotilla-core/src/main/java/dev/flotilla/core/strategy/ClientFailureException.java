package dev.flotilla.core.strategy;

import dev.flotilla.core.FlotillaException;
import java.util.Objects;

/**
 * Why a request to a client got no reply, as the transport (or a simulated fleet) reports it to a workflow: the
 * exception that fails the reply's future, carrying the {@link ClientFailure.Kind} the workflow records. Workflows
 * turn it into a {@link ClientFailure} value; it never stops a round.
 */
public class ClientFailureException extends FlotillaException {
  private final ClientFailure.Kind kind;

  public ClientFailureException(ClientFailure.Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public ClientFailureException(ClientFailure.Kind kind, String message) {
    this(kind, message, null);
  }

  /** What kind of failure this is. */
  public ClientFailure.Kind kind() {
    return kind;
  }
}
