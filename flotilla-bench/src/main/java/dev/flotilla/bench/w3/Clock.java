package dev.flotilla.bench.w3;

import java.time.Instant;

/** The wall clock that W3's processes share, in microseconds since the epoch (exact in a double until 2255). */
final class Clock {
  private Clock() {}

  static long epochMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }
}
