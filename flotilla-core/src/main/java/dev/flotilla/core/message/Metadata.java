package dev.flotilla.core.message;

import java.util.Objects;

/**
 * Where a {@link Message} belongs: its identity on a connection, the request it answers, the round or group of
 * exchanges it is part of, the version of the global model it was computed from, and when it stops being useful.
 *
 * @param messageId      positive and unique per sender and connection once sent; 0 before the transport assigns one
 * @param replyTo        the {@code messageId} of the request this answers, or 0
 * @param group          the round or group of exchanges, such as {@code "3"} or {@code "secagg/3/share-keys"}; empty
 *                       for none
 * @param modelVersion   the version of the global model this message carries or was computed from (the round after
 *                       which that model was made: 0 for the initial model); -1 when it is about no model
 * @param deadlineMillis epoch milliseconds after which the receiver may drop the message unanswered; 0 for none
 */
public record Metadata(long messageId, long replyTo, String group, long modelVersion, long deadlineMillis) {
  private static final Metadata NONE = new Metadata(0, 0, "", -1, 0);

  public Metadata {
    if (messageId < 0 || replyTo < 0) {
      throw new IllegalArgumentException("message ids must be >= 0, got messageId " + messageId + ", replyTo "
          + replyTo);
    }
    Objects.requireNonNull(group, "group");
    if (modelVersion < -1) {
      throw new IllegalArgumentException("modelVersion must be >= -1, got " + modelVersion);
    }
    if (deadlineMillis < 0) {
      throw new IllegalArgumentException("deadlineMillis must be >= 0, got " + deadlineMillis);
    }
  }

  /** No ids, no group, no model version, no deadline. */
  public static Metadata none() {
    return NONE;
  }

  /** Metadata of a request in {@code group} about model {@code modelVersion}, to be answered by {@code deadline}. */
  public static Metadata of(String group, long modelVersion, long deadlineMillis) {
    return new Metadata(0, 0, group, modelVersion, deadlineMillis);
  }

  /** Whether a deadline is set. */
  public boolean hasDeadline() {
    return deadlineMillis > 0;
  }

  /** Whether the deadline, if any, is before {@code nowMillis}. */
  public boolean expiredAt(long nowMillis) {
    return deadlineMillis > 0 && nowMillis > deadlineMillis;
  }

  public Metadata withIds(long id, long inReplyTo) {
    return new Metadata(id, inReplyTo, group, modelVersion, deadlineMillis);
  }

  /** The metadata of a reply to a request with this metadata: same group, model version and deadline. */
  public Metadata forReply() {
    return new Metadata(0, messageId, group, modelVersion, deadlineMillis);
  }
}
