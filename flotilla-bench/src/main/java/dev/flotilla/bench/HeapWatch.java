package dev.flotilla.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Watches the heap of this JVM while a benchmark runs: a daemon thread samples the used heap every few milliseconds
 * and keeps the largest value, since {@link MemoryPoolMXBean#getPeakUsage()} is per pool and the sum of the pools'
 * peaks (also reported) can exceed the peak of their sum. Start with {@link #start}, read after {@link #close}.
 */
public final class HeapWatch implements AutoCloseable {
  private final Thread sampler;
  private volatile boolean running = true;
  private volatile long peakUsed;

  private HeapWatch(long intervalMillis) {
    sampler = new Thread(() -> {
      while (running) {
        sample();
        try {
          Thread.sleep(intervalMillis);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "heap-watch");
    sampler.setDaemon(true);
  }

  /** Resets the pools' peaks and starts sampling every {@code intervalMillis} ms. */
  public static HeapWatch start(long intervalMillis) {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
    HeapWatch watch = new HeapWatch(intervalMillis);
    watch.sampler.start();
    return watch;
  }

  /** The largest used heap seen by the sampler, in bytes. */
  public long peakSampledBytes() {
    return peakUsed;
  }

  /** The sum over heap pools of each pool's peak usage since {@link #start}, in bytes: an upper bound. */
  public static long sumOfPoolPeaksBytes() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  /** The peak resident set size of this process ({@code VmHWM} on Linux) in bytes, or -1 where unknown. */
  public static long peakResidentBytes() {
    return statusBytes("self", "VmHWM");
  }

  /**
   * A memory figure of {@code /proc/PROCESS/status} ({@code VmHWM}, {@code VmRSS}, …) in bytes, for
   * {@code process} {@code "self"} or a process id; -1 where unknown (not Linux, the process gone, no such field).
   */
  public static long statusBytes(String process, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", process, "status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // The figure is simply unavailable.
    }
    return -1;
  }

  private void sample() {
    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    if (used > peakUsed) {
      peakUsed = used;
    }
  }

  /** Stops sampling after one last sample. */
  @Override
  public void close() {
    running = false;
    sampler.interrupt();
    try {
      sampler.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sample();
  }
}
