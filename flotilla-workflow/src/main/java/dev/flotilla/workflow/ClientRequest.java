package dev.flotilla.workflow;

import dev.flotilla.core.message.Message;
import java.util.Objects;

/**
 * A message addressed to one client, as a workflow hands it to {@link Exchange#send}.
 *
 * @param clientId the client
 * @param message  what to send it
 */
public record ClientRequest(String clientId, Message message) {
  public ClientRequest {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(message, "message");
  }
}
