package dev.flotilla.workflow;

import dev.flotilla.core.message.Message;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A client's answer to a request. A reply that carries arrays holds one of the server's upload slots, which bound how
 * many models' worth of uploads the server holds at once: {@linkplain #close() close} it as soon as its content has
 * been used (or handed to a component that keeps it), or other clients' uploads stall. Closing also gives back the
 * transport buffers of lent arrays.
 *
 * <p>Thread-safe; closing twice is harmless.
 */
public final class Reply implements AutoCloseable {
  private final Message message;
  private final Runnable release;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** A reply carrying {@code message}; {@code release} runs once, on the first {@link #close()}. */
  public Reply(Message message, Runnable release) {
    this.message = Objects.requireNonNull(message, "message");
    this.release = Objects.requireNonNull(release, "release");
  }

  /**
   * The client's message; still readable after {@link #close()}, except float32 arrays its request let the server
   * lend ({@link ReplyAllowance#withLentArrays()}), which close() gives back to the transport.
   */
  public Message message() {
    return message;
  }

  /** Gives back the upload slot this reply holds, if any. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      release.run();
    }
  }
}
