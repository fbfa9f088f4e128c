package dev.flotilla.client;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The requests of one connection that the client has taken and not yet answered, so that work whose result can no
 * longer count is dropped: a request cancelled by the server ({@code cancel}) or past its deadline is never started
 * if it is still queued, and the app thread running it is interrupted if it has started. An app notices the
 * interrupt where it checks ({@code Thread.currentThread().isInterrupted()}, such as between batches, or any
 * blocking call) and stops with a {@link java.util.concurrent.CancellationException}.
 *
 * <p>Threading: {@link #queued} and {@link #cancel} are called by the client's loop, {@link #start} and
 * {@link #finish} by the app thread, the deadlines fire on {@code timer}. Thread-safe.
 */
final class CancellationRegistry {
  private enum State { QUEUED, RUNNING, CANCELLED }

  private static final class Entry {
    State state = State.QUEUED;
    Thread thread;
    ScheduledFuture<?> deadline;
  }

  private final ScheduledExecutorService timer;
  private final LongSupplier clockMillis;
  private final Map<Long, Entry> requests = new HashMap<>(); // guarded by this

  /**
   * @param timer       runs the deadlines; shared, not owned
   * @param clockMillis the epoch time in milliseconds, against which deadlines are read
   */
  CancellationRegistry(ScheduledExecutorService timer, LongSupplier clockMillis) {
    this.timer = timer;
    this.clockMillis = clockMillis;
  }

  /** Records that request {@code id} is queued for the app; it is cancelled at {@code deadlineMillis} if not 0. */
  void queued(long id, long deadlineMillis) {
    Entry e = new Entry();
    synchronized (this) {
      requests.put(id, e);
      if (deadlineMillis > 0) {
        long delay = Math.max(0, deadlineMillis - clockMillis.getAsLong());
        e.deadline = timer.schedule(() -> cancel(id), delay, TimeUnit.MILLISECONDS);
      }
    }
  }

  /**
   * Called on the app thread before it runs request {@code id}: true if it may run (it is then interrupted if it is
   * cancelled), false if it was cancelled while queued, in which case it must not start.
   */
  synchronized boolean start(long id) {
    Entry e = requests.get(id);
    if (e == null) {
      return true; // not tracked: nothing can cancel it
    }
    if (e.state == State.CANCELLED) {
      forget(id, e);
      return false;
    }
    e.state = State.RUNNING;
    e.thread = Thread.currentThread();
    return true;
  }

  /**
   * Called on the app thread once request {@code id} is done: forgets it and clears an interrupt that its
   * cancellation may have raised, so the next request starts clean.
   */
  synchronized void finish(long id) {
    Entry e = requests.get(id);
    if (e != null) {
      forget(id, e);
    }
    Thread.interrupted();
  }

  /** Cancels request {@code id}: if queued it will not start, if running its thread is interrupted. */
  synchronized void cancel(long id) {
    Entry e = requests.get(id);
    if (e == null || e.state == State.CANCELLED) {
      return;
    }
    if (e.state == State.RUNNING) {
      e.thread.interrupt();
    }
    e.state = State.CANCELLED;
  }

  /** Cancels every request, as when the connection that brought them is lost. */
  synchronized void cancelAll() {
    for (Long id : Map.copyOf(requests).keySet()) {
      cancel(id);
    }
  }

  /** Requests taken and not yet finished. */
  synchronized int size() {
    return requests.size();
  }

  private void forget(long id, Entry e) {
    requests.remove(id);
    if (e.deadline != null) {
      e.deadline.cancel(false);
    }
  }
}
