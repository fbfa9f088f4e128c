package dev.flotilla.bench;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * One timed transfer of the transport benchmark: wall time and the CPU time of this process (the server) and of the
 * client process over the same interval. {@link #start} then {@link #end}; immutable.
 */
record Phase(long bytes, long wallNanos, long serverCpuNanos, long clientCpuNanos, ProcessHandle client,
    long startNanos) {
  static Phase start(ProcessHandle client) {
    return new Phase(0, 0, cpu(ProcessHandle.current()), cpu(client), client, System.nanoTime());
  }

  /** The finished phase, {@code bytes} of arrays moved. */
  Phase end(long bytes) {
    long wall = System.nanoTime() - startNanos;
    return new Phase(bytes, wall, cpu(ProcessHandle.current()) - serverCpuNanos, cpu(client) - clientCpuNanos, client,
        startNanos);
  }

  double megabytesPerSecond() {
    return bytes / 1e6 / (wallNanos / 1e9);
  }

  /** CPU-seconds of both processes per 10⁹ bytes moved. */
  double cpuSecondsPerGigabyte() {
    return (serverCpuNanos + clientCpuNanos) / 1e9 / (bytes / 1e9);
  }

  /** The phase with the median throughput (the lower middle one for an even count). */
  static Phase median(List<Phase> phases) {
    List<Phase> sorted = phases.stream().sorted(Comparator.comparingDouble(Phase::megabytesPerSecond)).toList();
    return sorted.get((sorted.size() - 1) / 2);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%,d B in %.3f s = %,.0f MB/s; cpu server %.2f s + client %.2f s = %.2f"
        + " CPU-s per GB", bytes, wallNanos / 1e9, megabytesPerSecond(), serverCpuNanos / 1e9, clientCpuNanos / 1e9,
        cpuSecondsPerGigabyte());
  }

  private static long cpu(ProcessHandle process) {
    return process.info().totalCpuDuration().map(Duration::toNanos)
        .orElseThrow(() -> new IllegalStateException("no CPU time for process " + process.pid()));
  }
}
