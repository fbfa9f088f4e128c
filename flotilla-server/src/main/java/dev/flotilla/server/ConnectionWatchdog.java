package dev.flotilla.server;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that checks every open connection's timeouts at a fixed period: handshakes that take too long, uploads
 * that stalled. A connection is watched from its creation until it closes. Thread-safe; {@link #close()} stops the
 * thread.
 */
final class ConnectionWatchdog implements AutoCloseable {
  /** A connection with timeouts. */
  interface Watched {
    /** Closes the connection if one of its timeouts has passed at {@code nowNanos} ({@link System#nanoTime()}). */
    void checkTimeouts(long nowNanos);
  }

  private static final Logger log = LoggerFactory.getLogger(ConnectionWatchdog.class);
  private final Set<Watched> watched = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService timer;

  /** A watchdog that checks every {@code period}. */
  ConnectionWatchdog(Duration period) {
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "flotilla-watchdog");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::checkAll, period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
  }

  void watch(Watched connection) {
    watched.add(connection);
  }

  void unwatch(Watched connection) {
    watched.remove(connection);
  }

  /** Connections watched now. */
  int size() {
    return watched.size();
  }

  private void checkAll() {
    long now = System.nanoTime();
    for (Watched w : watched) {
      try {
        w.checkTimeouts(now);
      } catch (Throwable t) { // one connection's failure must not stop the checks of the others
        log.error("checking a connection's timeouts failed", t);
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    watched.clear();
  }
}
