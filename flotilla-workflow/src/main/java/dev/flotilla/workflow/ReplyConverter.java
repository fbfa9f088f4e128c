package dev.flotilla.workflow;

import dev.flotilla.core.message.Message;

/**
 * Turns a client's reply into the value a workflow consumes, or throws (any {@code RuntimeException}, with a message
 * naming the problem) to reject it: the client is then recorded as a {@code REJECTED} failure. Replies that carry a
 * {@link dev.flotilla.core.message.MessageError} never reach a converter; they are {@code CLIENT_ERROR} failures.
 */
@FunctionalInterface
public interface ReplyConverter<R> {
  /** The value of {@code reply} from {@code clientId}. */
  R convert(String clientId, Message reply);

  /** The reply message itself, for workflows that read replies as they are (multi-stage protocols). */
  static ReplyConverter<Message> messages() {
    return (clientId, reply) -> reply;
  }
}
