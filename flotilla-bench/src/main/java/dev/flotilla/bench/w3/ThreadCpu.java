package dev.flotilla.bench.w3;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of this process's live threads from {@code /proc/self/task}, grouped by thread name with numbers
 * removed ({@code flotilla-send-3} and {@code flotilla-send-7} count as {@code flotilla-send-}), so that JIT
 * compiler and GC threads, which Java's thread beans do not show, are included. Linux only; elsewhere empty.
 */
final class ThreadCpu {
  private static final double TICKS_PER_SECOND = 100; // USER_HZ on Linux

  private ThreadCpu() {}

  /** Group name to {user, system} seconds, over the threads alive now. */
  static Map<String, double[]> byGroup() {
    Map<String, double[]> out = new TreeMap<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        try {
          String name = Files.readString(task.resolve("comm")).trim().replaceAll("[0-9]+", "#");
          String stat = Files.readString(task.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          double[] cpu = out.computeIfAbsent(name, k -> new double[2]);
          cpu[0] += Long.parseLong(f[11]) / TICKS_PER_SECOND; // utime: field 14 of stat
          cpu[1] += Long.parseLong(f[12]) / TICKS_PER_SECOND; // stime: field 15
        } catch (IOException | RuntimeException e) {
          // The thread ended while being read.
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux.
    }
    return out;
  }

  /** {@link #byGroup()} as {@code name: user+system seconds}, largest first, for a log line. */
  static String describe() {
    StringBuilder sb = new StringBuilder();
    byGroup().entrySet().stream()
        .sorted((a, b) -> Double.compare(b.getValue()[0] + b.getValue()[1], a.getValue()[0] + a.getValue()[1]))
        .filter(e -> e.getValue()[0] + e.getValue()[1] > 0)
        .forEach(e -> sb.append(sb.length() == 0 ? "" : ", ").append(e.getKey()).append(' ')
            .append(String.format(java.util.Locale.ROOT, "%.2f", e.getValue()[0] + e.getValue()[1])));
    return sb.toString();
  }
}
