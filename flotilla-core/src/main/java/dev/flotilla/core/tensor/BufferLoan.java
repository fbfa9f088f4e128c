package dev.flotilla.core.tensor;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Buffers a transport lends to the tensors of one received message ({@link Tensor#lent}), for as long as the
 * message is being used: a server reads an upload straight from the buffers it arrived in instead of copying it
 * into arrays, and gives them back once the upload has been folded. After {@link #giveBack()} every read of such a
 * tensor's values throws {@link IllegalStateException} (never stale bytes); a tensor that had copied its values into
 * an array before keeps working.
 *
 * <p>Give back on the thread that reads the tensors (a workflow gives back a result's loan as its iteration moves on).
 */
public final class BufferLoan {
  private final Runnable giveBack;
  private final AtomicBoolean givenBack = new AtomicBoolean();

  /** A loan whose buffers {@code giveBack} returns to their owner; it runs once, on the first {@link #giveBack()}. */
  public BufferLoan(Runnable giveBack) {
    this.giveBack = Objects.requireNonNull(giveBack, "giveBack");
  }

  /** Ends the loan: the tensors stop reading the buffers, then the buffers go back. Giving back twice is harmless. */
  public void giveBack() {
    if (givenBack.compareAndSet(false, true)) { // from here on the tensors refuse to read
      giveBack.run();
    }
  }

  /** Whether {@link #giveBack()} was called. */
  public boolean isOver() {
    return givenBack.get();
  }
}
