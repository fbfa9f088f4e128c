package dev.flotilla.workflow;

import dev.flotilla.core.message.Message;
import java.util.Objects;

/**
 * A message addressed to one client, as a workflow hands it to {@link Exchange#send}.
 *
 * @param clientId  the client
 * @param message   what to send it
 * @param allowance the arrays its reply may carry (see {@link ClientProxy#request(Message, ReplyAllowance)})
 */
public record ClientRequest(String clientId, Message message, ReplyAllowance allowance) {
  public ClientRequest {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(allowance, "allowance");
  }

  /** A request whose reply may carry any arrays within the server's per-message cap. */
  public ClientRequest(String clientId, Message message) {
    this(clientId, message, ReplyAllowance.any());
  }
}
