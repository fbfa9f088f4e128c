package dev.flotilla.sim;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Watches this JVM's memory while a simulation runs: a daemon thread samples every 20 ms the heap in use (garbage
 * included) and the heap live after the latest collections (the sum over heap pools of their usage after their
 * last collection), keeping the largest of each. The second figure is the one that shows whether memory grows with
 * the number of clients. {@link #peakResidentBytes()} adds the process's peak resident memory, native memory of the
 * training engine included.
 */
final class MemoryWatch implements AutoCloseable {
  private static final long INTERVAL_MILLIS = 20;
  private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(p -> p.getType() == MemoryType.HEAP).toList();
  private final Thread sampler;
  private volatile boolean running = true;
  private volatile long peakUsed;
  private volatile long peakLive;

  private MemoryWatch() {
    sampler = new Thread(() -> {
      while (running) {
        sample();
        try {
          Thread.sleep(INTERVAL_MILLIS);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "flotilla-sim-memory");
    sampler.setDaemon(true);
  }

  /** Starts sampling. */
  static MemoryWatch start() {
    MemoryWatch watch = new MemoryWatch();
    watch.sampler.start();
    return watch;
  }

  /** The largest heap in use seen, garbage included, in bytes. */
  long peakUsedBytes() {
    return peakUsed;
  }

  /** The largest heap live after collections seen, in bytes. */
  long peakLiveBytes() {
    return peakLive;
  }

  /** The largest heap the JVM may use ({@code -Xmx}), in bytes. */
  static long maxHeapBytes() {
    return Runtime.getRuntime().maxMemory();
  }

  /** The peak resident set size of this process ({@code VmHWM} on Linux) in bytes, or -1 where unknown. */
  static long peakResidentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or an unexpected format: the figure is simply unavailable.
    }
    return -1;
  }

  private void sample() {
    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long live = 0;
    for (MemoryPoolMXBean pool : heapPools) {
      MemoryUsage after = pool.getCollectionUsage();
      live += after == null ? 0 : after.getUsed();
    }
    peakUsed = Math.max(peakUsed, used);
    peakLive = Math.max(peakLive, live);
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
