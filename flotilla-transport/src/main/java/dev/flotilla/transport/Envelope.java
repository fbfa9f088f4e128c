package dev.flotilla.transport;

import dev.flotilla.core.message.Message;
import java.util.Objects;

/**
 * A {@link Message} with the ids that place it on a stream.
 *
 * @param messageId positive, unique per sender and stream
 * @param replyTo   the {@code messageId} of the request this answers, or 0 if it answers none
 * @param message   the content
 */
public record Envelope(long messageId, long replyTo, Message message) {
  public Envelope {
    if (messageId <= 0) {
      throw new IllegalArgumentException("message id must be positive, got " + messageId);
    }
    if (replyTo < 0) {
      throw new IllegalArgumentException("reply_to must be >= 0, got " + replyTo);
    }
    Objects.requireNonNull(message, "message");
  }
}
