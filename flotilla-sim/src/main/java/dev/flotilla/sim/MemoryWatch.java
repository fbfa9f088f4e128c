package dev.flotilla.sim;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Watches this JVM's memory while a simulation runs: a daemon thread samples every 20 ms the heap in use (garbage
 * included), and a listener on every garbage collection takes the heap in use right after it (the live data plus
 * what that collection left uncollected), keeping the largest of each. The second figure is the one that shows
 * whether memory grows with the number of clients; it is unknown if no collection ran. {@link #peakResidentBytes()}
 * adds the process's peak resident memory, native memory of the training engine included.
 */
public final class MemoryWatch implements AutoCloseable {
  private static final long INTERVAL_MILLIS = 20;
  private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener afterGc = this::collected;
  private final Thread sampler;
  private volatile boolean running = true;
  private volatile long peakUsed;
  private final AtomicLong peakAfterGc = new AtomicLong(-1);

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

  /** Starts watching. */
  public static MemoryWatch start() {
    MemoryWatch watch = new MemoryWatch();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(watch.afterGc, null, null);
        watch.emitters.add(emitter);
      }
    }
    watch.sampler.start();
    return watch;
  }

  /** The largest heap in use seen, garbage included, in bytes. */
  public long peakUsedBytes() {
    return peakUsed;
  }

  /** The largest heap in use right after a garbage collection, in bytes; -1 if no collection ran. */
  public long peakAfterGcBytes() {
    return peakAfterGc.get();
  }
  /** The largest heap the JVM may use ({@code -Xmx}), in bytes. */
  public static long maxHeapBytes() {
    return Runtime.getRuntime().maxMemory();
  }

  /** CPU time used by this process so far, all threads, in seconds; -1 where unknown. */
  public static double processCpuSeconds() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      long nanos = os.getProcessCpuTime();
      return nanos < 0 ? -1 : nanos / 1e9;
    }
    return -1;
  }

  /** The peak resident set size of this process ({@code VmHWM} on Linux) in bytes, or -1 where unknown. */
  public static long peakResidentBytes() {
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
    peakUsed = Math.max(peakUsed, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
  }

  private void collected(Notification notification, Object handback) {
    if (!notification.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
      return;
    }
    GarbageCollectionNotificationInfo info =
        GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
    long after = 0;
    for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
      if (heapPools.contains(pool.getKey())) {
        after += pool.getValue().getUsed();
      }
    }
    peakAfterGc.accumulateAndGet(after, Math::max);
  }

  /** Stops watching after one last sample. Idempotent. */
  @Override
  public void close() {
    for (NotificationEmitter emitter : emitters) {
      try {
        emitter.removeNotificationListener(afterGc);
      } catch (ListenerNotFoundException e) {
        // already removed by an earlier close
      }
    }
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
