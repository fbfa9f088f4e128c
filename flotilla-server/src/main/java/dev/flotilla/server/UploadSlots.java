package dev.flotilla.server;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A fixed number of slots for messages with arrays that are being received or waiting to be consumed, so that the
 * server holds a few models' worth of uploads however many clients send at once. A connection that gets no slot
 * stops reading its stream, and gRPC flow control then pauses that client.
 *
 * <p>Waiters are served first come, first served. Thread-safe; callbacks run outside the internal lock.
 */
final class UploadSlots {
  private final Deque<Consumer<Lease>> waiters = new ArrayDeque<>();
  private int free;

  UploadSlots(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("upload slots must be >= 1, got " + capacity);
    }
    this.free = capacity;
  }

  /**
   * A slot if one is free now. Otherwise returns null and queues {@code whenFree}, which is later called with a slot
   * on the thread that frees one; it must hand work off rather than block.
   */
  Lease acquire(Consumer<Lease> whenFree) {
    synchronized (this) {
      if (free > 0) {
        free--;
        return new Lease();
      }
      waiters.addLast(whenFree);
      return null;
    }
  }

  /** Removes a queued waiter; false if it was not queued (already served, or never queued). */
  synchronized boolean cancel(Consumer<Lease> waiter) {
    return waiters.remove(waiter);
  }

  /** Slots free right now. */
  synchronized int free() {
    return free;
  }

  private void release() {
    Consumer<Lease> next;
    synchronized (this) {
      next = waiters.pollFirst();
      if (next == null) {
        free++;
        return;
      }
    }
    next.accept(new Lease());
  }

  /** One held slot. {@link #release()} frees it; releasing twice is harmless. */
  final class Lease {
    private final AtomicBoolean released = new AtomicBoolean();

    void release() {
      if (released.compareAndSet(false, true)) {
        UploadSlots.this.release();
      }
    }
  }
}
