package dev.flotilla.core.message;

import java.util.Objects;

/**
 * Why a message could not be answered with a result: a first-class error value, not a string in a config. The
 * server turns a reply carrying one into a {@code CLIENT_ERROR} failure of that client.
 *
 * @param code   the kind of error
 * @param reason a human-readable explanation naming the problem
 */
public record MessageError(Code code, String reason) {
  /** The kinds of error. */
  public enum Code {
    /** The app (or a mod) threw or returned nothing. */
    APP_ERROR,
    /** Nobody on the receiving side handles this message type. */
    UNSUPPORTED_TYPE,
    /** The request was malformed or did not fit what the receiver expects (shapes, dtypes, config). */
    BAD_REQUEST,
    /** A mod refused the message on purpose (a privacy budget spent, a protocol step out of order…). */
    REFUSED,
    /** The request's deadline passed before it was started. */
    DEADLINE_EXCEEDED,
    /** The request was cancelled by its sender. */
    CANCELLED,
    /** Anything else. */
    INTERNAL
  }

  public MessageError {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(reason, "reason");
  }

  @Override
  public String toString() {
    return code + ": " + reason;
  }
}
