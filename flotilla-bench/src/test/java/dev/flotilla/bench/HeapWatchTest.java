package dev.flotilla.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class HeapWatchTest {
  @Test
  void memoryFiguresComeFromProcStatusInBytesAndAreMinusOneWhenUnknown() {
    assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "Linux only");
    long rss = HeapWatch.statusBytes("self", "VmRSS");
    long peak = HeapWatch.peakResidentBytes();
    assertThat(rss).isPositive().isEqualTo(rss / 1024 * 1024);
    assertThat(peak).as("the peak so far").isGreaterThanOrEqualTo(rss);
    assertThat(HeapWatch.statusBytes(String.valueOf(ProcessHandle.current().pid()), "VmHWM")).isPositive();
    assertThat(HeapWatch.statusBytes("self", "NoSuchField")).isEqualTo(-1);
    assertThat(HeapWatch.statusBytes("999999999", "VmHWM")).isEqualTo(-1);
  }
}
