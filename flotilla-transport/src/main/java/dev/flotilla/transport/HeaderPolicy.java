package dev.flotilla.transport;

import java.util.Objects;

/**
 * Decides from its header alone whether a receiver takes a message, before any memory is allocated for its
 * arrays. A {@link MessageAssembler} calls it once per message, after checking that the header is well formed
 * (ids, dtypes, shapes and byte lengths agree, array names are unique), so a policy reads validated values.
 *
 * <p>Refusing throws {@link ProtocolException} naming the reason; the connection is then closed, like for any
 * other protocol violation. Threading: called on the thread that feeds the assembler; a policy shared by several
 * assemblers must be thread-safe.
 */
@FunctionalInterface
public interface HeaderPolicy {
  /** Returns normally to take the message described by {@code header}, throws {@link ProtocolException} to refuse. */
  void check(MessageHeader header);

  /**
   * A policy that refuses a message whose arrays add up to more than {@code maxMessageBytes} bytes
   * ({@link MessageHeader#arrayBytes()}; the rest of a message is bounded by {@link Protocol#MAX_FRAME_BYTES}).
   * With {@link Long#MAX_VALUE}, the default of {@link MessageAssembler}, it refuses none.
   */
  static HeaderPolicy maxMessageBytes(long maxMessageBytes) {
    if (maxMessageBytes < 0) {
      throw new IllegalArgumentException("maxMessageBytes must be >= 0, got " + maxMessageBytes);
    }
    return header -> {
      long bytes = header.arrayBytes();
      if (bytes > maxMessageBytes) {
        throw new ProtocolException("message " + header.metadata().messageId() + " ('" + header.type()
            + "') declares " + bytes + " array bytes, more than the " + maxMessageBytes + " this receiver accepts");
      }
    };
  }

  /** A policy that takes a message only if both this policy and {@code next}, checked in that order, take it. */
  default HeaderPolicy and(HeaderPolicy next) {
    Objects.requireNonNull(next, "next");
    return header -> {
      check(header);
      next.check(header);
    };
  }
}
