package dev.flotilla.client;

import java.time.Duration;
import java.util.Random;

/**
 * Exponential backoff with jitter: the n-th wait after a success is {@code initial × 2ⁿ}, capped at {@code max},
 * then spread by ±20% so that clients cut off together do not all come back in the same instant. Not thread-safe.
 */
final class Backoff {
  private static final double JITTER = 0.2;
  private final long initialMillis;
  private final long maxMillis;
  private final Random random;
  private int failures;

  Backoff(Duration initial, Duration max, Random random) {
    this.initialMillis = initial.toMillis();
    this.maxMillis = max.toMillis();
    this.random = random;
  }

  /** The wait before the next attempt; each call counts one more failure. */
  Duration next() {
    double base = Math.min(maxMillis, initialMillis * Math.pow(2, failures));
    failures = Math.min(failures + 1, 62);
    double spread = base * (1 + JITTER * (2 * random.nextDouble() - 1));
    return Duration.ofMillis(Math.round(Math.min(maxMillis, spread)));
  }

  /** Starts again from the initial wait, after a successful connection. */
  void reset() {
    failures = 0;
  }
}
