package dev.flotilla.transport;

import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;

/**
 * Bytes of heap the current thread has allocated, as the JVM counts them (HotSpot's per-thread allocation counter):
 * what the fuzz tests use to check that a receiver allocates no more than its budget for what a peer sends.
 *
 * <p>Loading a class allocates too, the more so when a fuzzer instruments it as it loads (megabytes); a span in
 * which a class was loaded ({@link #classesLoaded()} changed) measures that one-off cost, not the code under test.
 */
final class AllocationMeter {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private static final ClassLoadingMXBean CLASSES = ManagementFactory.getClassLoadingMXBean();

  private AllocationMeter() {}

  /** Classes the JVM has loaded so far, on any thread. */
  static long classesLoaded() {
    return CLASSES.getTotalLoadedClassCount();
  }

  /** Bytes the current thread has allocated since it started; only differences mean anything. */
  static long allocatedBytes() {
    return THREADS.getCurrentThreadAllocatedBytes();
  }

  /** Whether this JVM counts allocations per thread; the fuzz tests need it. */
  static boolean supported() {
    return THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled();
  }
}
