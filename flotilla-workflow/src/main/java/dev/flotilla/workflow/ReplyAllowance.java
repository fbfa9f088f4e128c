package dev.flotilla.workflow;

import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.List;
import java.util.Optional;

/**
 * The arrays the reply to one request may carry, known when the request is sent, so that a server can refuse a reply
 * from its header alone, before it allocates any memory for the reply's arrays. Either exactly some arrays (names,
 * dtypes and shapes, in order), or any arrays up to a number of bytes. An {@code error} reply carries no arrays and
 * is always allowed without them. A server bounds every reply by its own per-message cap as well
 * ({@code --max-message-bytes}), except one that carries exactly the arrays its request allows: the server itself
 * chose those (typically the model it sent).
 *
 * <p>An allowance may also let the server <em>lend</em> the reply's float32 arrays ({@link #withLentArrays()}): they
 * are then read where the transport received them, without a copy, and only until the {@link Reply} is closed.
 *
 * @param specs      the exact arrays of a non-error reply, or null to allow any arrays up to {@code maxBytes}
 * @param maxBytes   the most array bytes a reply may declare; {@link Long#MAX_VALUE} for the server's own cap only
 * @param lentArrays whether the reply's float32 arrays may be lent, readable only until the reply is closed
 */
public record ReplyAllowance(List<TensorSpec> specs, long maxBytes, boolean lentArrays) {
  private static final ReplyAllowance ANY = new ReplyAllowance(null, Long.MAX_VALUE);

  public ReplyAllowance {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must be >= 0, got " + maxBytes);
    }
    if (specs != null) {
      specs = List.copyOf(specs);
      long bytes = 0;
      for (TensorSpec s : specs) {
        bytes += s.byteSize();
      }
      if (bytes != maxBytes) {
        throw new IllegalArgumentException("maxBytes of exact specs must be their size " + bytes + ", got "
            + maxBytes);
      }
    }
  }

  /** An allowance whose arrays are not lent. */
  public ReplyAllowance(List<TensorSpec> specs, long maxBytes) {
    this(specs, maxBytes, false);
  }

  /**
   * The same allowance, letting the server lend the reply's float32 arrays (a {@code Tensor.lent} over its transport's
   * buffers): for a consumer that reads them only until it closes the {@link Reply} and keeps nothing of them
   * ({@link dev.flotilla.core.strategy.Strategy#readsResultArraysOnlyWhileIterating()}). A server that does not lend
   * (lending is a setting of the server's, off by default), a fleet without a transport, or a reply that comes in one
   * frame delivers arrays as usual.
   */
  public ReplyAllowance withLentArrays() {
    return new ReplyAllowance(specs, maxBytes, true);
  }

  /** Any arrays, bounded only by the receiver's per-message cap. */
  public static ReplyAllowance any() {
    return ANY;
  }

  /** Any arrays of at most {@code maxBytes} bytes in all (and within the receiver's per-message cap). */
  public static ReplyAllowance upTo(long maxBytes) {
    return new ReplyAllowance(null, maxBytes);
  }

  /** No arrays at all, as in an evaluation result. */
  public static ReplyAllowance noArrays() {
    return upTo(0);
  }

  /** Exactly the arrays {@code specs}, in order (or none, in an error reply). */
  public static ReplyAllowance exactly(List<TensorSpec> specs) {
    long bytes = 0;
    for (TensorSpec s : specs) {
      bytes += s.byteSize();
    }
    return new ReplyAllowance(specs, bytes);
  }

  /** Whether this allowance names the exact arrays of a reply. */
  public boolean isExact() {
    return specs != null;
  }

  /**
   * Why a reply of type {@code type} declaring {@code arrays} is not allowed, or empty if it is. Reads only the
   * declared specs, so it can run before any array memory exists.
   */
  public Optional<String> problem(String type, List<TensorSpec> arrays) {
    if (MessageTypes.ERROR.equals(type) || !isExact()) {
      long bytes = 0;
      for (TensorSpec s : arrays) {
        bytes += s.byteSize();
      }
      long max = MessageTypes.ERROR.equals(type) ? 0 : maxBytes;
      if (bytes > max) {
        return Optional.of("a '" + type + "' reply declares " + bytes + " array bytes, more than the " + max
            + " its request allows");
      }
      return Optional.empty();
    }
    if (arrays.size() != specs.size()) {
      return Optional.of("a '" + type + "' reply declares " + arrays.size() + " arrays, its request allows exactly "
          + specs.size());
    }
    for (int i = 0; i < specs.size(); i++) {
      if (!specs.get(i).equals(arrays.get(i))) {
        return Optional.of("array " + i + " of a '" + type + "' reply is declared " + arrays.get(i)
            + ", its request allows " + specs.get(i));
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return (isExact() ? "exactly " + specs.size() + " arrays (" + maxBytes + " bytes)"
        : maxBytes == Long.MAX_VALUE ? "any arrays" : "up to " + maxBytes + " array bytes")
        + (lentArrays ? ", lent" : "");
  }
}
