package dev.flotilla.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CPU time per thread of a process, and its minor page faults, from Linux's {@code /proc/PID/task/TID/stat}: where
 * the CPU of a benchmark phase goes (gRPC event loops, decoding, GC, the JIT). Threads are grouped by name with
 * digits removed ({@code GC Thread#0} and {@code GC Thread#1} count as one). Clock ticks are taken as 10 ms, the
 * value of {@code getconf CLK_TCK} on Linux x86. Empty on other systems.
 */
record ThreadCpu(Map<String, Long> ticksByGroup, long minorFaults) {
  private static final double SECONDS_PER_TICK = 0.01;

  /** A snapshot of process {@code pid}. */
  static ThreadCpu of(long pid) {
    Map<String, Long> ticks = new HashMap<>();
    long faults = 0;
    try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : tasks.toList()) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException e) {
          continue; // the thread ended
        }
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        String[] fields = stat.substring(close + 2).split(" ");
        // fields[0] is field 3 of proc(5): minflt is field 10, utime 14, stime 15
        String group = stat.substring(open + 1, close).replaceAll("[0-9]+", "N");
        ticks.merge(group, Long.parseLong(fields[11]) + Long.parseLong(fields[12]), Long::sum);
        faults += Long.parseLong(fields[7]);
      }
    } catch (IOException | RuntimeException e) {
      return new ThreadCpu(Map.of(), 0);
    }
    return new ThreadCpu(ticks, faults);
  }

  /**
   * What happened between {@code before} and this snapshot, as one line: minor faults, then the thread groups that
   * used at least 0.05 s of CPU, busiest first. Threads that ended in between are not counted.
   */
  String since(ThreadCpu before) {
    String groups = ticksByGroup.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.ticksByGroup.getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() * SECONDS_PER_TICK >= 0.05)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue() * SECONDS_PER_TICK))
        .collect(Collectors.joining(", "));
    return String.format(Locale.ROOT, "%,d minor faults; %s", minorFaults - before.minorFaults, groups);
  }
}
