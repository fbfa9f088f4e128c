package dev.flotilla.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A fixed number of slots, and a budget of bytes, for messages with arrays that are being received or waiting to be
 * consumed, so that the server holds a few models' worth of uploads however many clients send at once. A connection
 * that gets no slot stops reading its stream, and gRPC flow control then pauses that client.
 *
 * <p>An upload takes one slot and the bytes its header declares; a message larger than the whole budget takes all of
 * it, so it waits until no other upload is in flight. Waiters are served first come, first served; each of the first
 * few in line (the lookahead) is told so once ({@code whenNext}), so that its upload can start towards the server
 * before a slot frees.
 * Thread-safe; callbacks run outside the internal lock.
 */
final class UploadSlots {
  private final Deque<Waiter> waiters = new ArrayDeque<>();
  private final long maxBytes;
  private final int lookahead;
  private int free;
  private long freeBytes;

  /** {@code capacity} slots and no byte budget. */
  UploadSlots(int capacity) {
    this(capacity, Long.MAX_VALUE);
  }

  /** {@code capacity} slots sharing a budget of {@code maxBytes} array bytes; as many waiters told ahead. */
  UploadSlots(int capacity, long maxBytes) {
    this(capacity, maxBytes, capacity);
  }

  /** {@code capacity} slots sharing a budget of {@code maxBytes} array bytes; {@code lookahead} waiters told ahead. */
  UploadSlots(int capacity, long maxBytes, int lookahead) {
    if (capacity < 1) {
      throw new IllegalArgumentException("upload slots must be >= 1, got " + capacity);
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("the upload byte budget must be >= 1, got " + maxBytes);
    }
    if (lookahead < 0) {
      throw new IllegalArgumentException("upload lookahead must be >= 0, got " + lookahead);
    }
    this.lookahead = lookahead;
    this.free = capacity;
    this.maxBytes = maxBytes;
    this.freeBytes = maxBytes;
  }

  /**
   * A slot with {@code bytes} of the budget if both are free now and nobody waits before. Otherwise returns null and
   * queues {@code whenFree}, which is later called with the slot on the thread that frees one; it must hand work off
   * rather than block.
   */
  Lease acquire(long bytes, Consumer<Lease> whenFree) {
    return acquire(bytes, whenFree, () -> { });
  }

  /**
   * {@link #acquire(long, Consumer)}, and if the caller is queued, {@code whenNext} is called once when it comes
   * among the first in line, as many as the lookahead (at once if it is), on the thread that made it so; it must not
   * block. A waiter served or cancelled before that is never told.
   */
  Lease acquire(long bytes, Consumer<Lease> whenFree, Runnable whenNext) {
    long reserved = Math.min(Math.max(bytes, 0), maxBytes);
    Runnable next;
    synchronized (this) {
      if (waiters.isEmpty() && fits(reserved)) {
        return take(reserved);
      }
      waiters.addLast(new Waiter(reserved, whenFree, whenNext));
      next = tellFirstInLine();
    }
    next.run();
    return null;
  }

  /** Removes a queued waiter; false if it was not queued (already served, or never queued). */
  boolean cancel(Consumer<Lease> waiter) {
    boolean removed;
    List<Runnable> grants;
    synchronized (this) {
      removed = waiters.removeIf(w -> w.whenFree == waiter);
      grants = removed ? serveWaiters() : List.of(); // the next waiter may fit now
    }
    grants.forEach(Runnable::run);
    return removed;
  }

  /** Slots free right now. */
  synchronized int free() {
    return free;
  }

  /** Budget bytes free right now. */
  synchronized long freeBytes() {
    return freeBytes;
  }

  private boolean fits(long bytes) {
    return free > 0 && freeBytes >= bytes;
  }

  private Lease take(long bytes) {
    free--;
    freeBytes -= bytes;
    return new Lease(bytes);
  }

  /**
   * Takes slots for the waiters at the head of the queue that fit, in order, then tells the new first in line; the
   * returned calls run outside the lock.
   */
  private List<Runnable> serveWaiters() {
    List<Runnable> grants = new ArrayList<>();
    while (!waiters.isEmpty() && fits(waiters.peekFirst().bytes)) {
      Waiter w = waiters.pollFirst();
      Lease l = take(w.bytes);
      grants.add(() -> w.whenFree.accept(l));
    }
    grants.add(tellFirstInLine());
    return grants;
  }

  /**
   * The call that tells the first {@link #lookahead} waiters in line that have not been told yet (so that uploads
   * are on their way for the slots that free); a no-op if there are none.
   */
  private Runnable tellFirstInLine() {
    List<Runnable> calls = new ArrayList<>();
    int seen = 0;
    for (Waiter w : waiters) {
      if (seen++ == lookahead) {
        break;
      }
      if (!w.told) {
        w.told = true;
        calls.add(w.whenNext);
      }
    }
    return () -> calls.forEach(Runnable::run);
  }

  private void release(long bytes) {
    List<Runnable> grants;
    synchronized (this) {
      free++;
      freeBytes += bytes;
      grants = serveWaiters();
    }
    grants.forEach(Runnable::run);
  }

  private static final class Waiter {
    final long bytes;
    final Consumer<Lease> whenFree;
    final Runnable whenNext;
    boolean told; // guarded by the slots' lock: whenNext has been handed out

    Waiter(long bytes, Consumer<Lease> whenFree, Runnable whenNext) {
      this.bytes = bytes;
      this.whenFree = whenFree;
      this.whenNext = whenNext;
    }
  }

  /** One held slot and its bytes. {@link #release()} frees them; releasing twice is harmless. */
  final class Lease {
    private final long bytes;
    private final AtomicBoolean released = new AtomicBoolean();

    private Lease(long bytes) {
      this.bytes = bytes;
    }

    /** The budget bytes this lease holds. */
    long bytes() {
      return bytes;
    }

    void release() {
      if (released.compareAndSet(false, true)) {
        UploadSlots.this.release(bytes);
      }
    }
  }
}
