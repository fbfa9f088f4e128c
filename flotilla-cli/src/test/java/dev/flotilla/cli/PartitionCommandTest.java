package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.djl.data.ClientDataFolder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flotilla partition --stats}: the folders it writes and the table it prints. */
class PartitionCommandTest {
  @TempDir
  Path dir;

  @Test
  void statsPrintEachClientsSizeAndLabelHistogram() throws Exception {
    String[] output = SimulateCommandTest.capture("partition", "--clients", "3", "--scheme", "shards:2", "--seed",
        "5", "--out", dir.toString(), "--stats");

    assertThat(output[0]).isEqualTo("0");
    List<String> lines = Arrays.asList(output[1].split("\n"));
    int header = lines.indexOf(lines.stream().filter(l -> l.trim().startsWith("client")).findFirst().orElseThrow());
    assertThat(lines.get(header)).contains("size", "classes", "top share");
    int total = 0;
    for (int c = 0; c < 3; c++) {
      String[] cells = lines.get(header + 1 + c).trim().split("\\s+");
      assertThat(cells[0]).isEqualTo(Integer.toString(c));
      int size = Integer.parseInt(cells[1]);
      int histogramSum = 0;
      for (int k = 0; k < 10; k++) {
        histogramSum += Integer.parseInt(cells[2 + k]);
      }
      assertThat(histogramSum).as("client %d's histogram adds up to its size", c).isEqualTo(size);
      assertThat(ClientDataFolder.read(PartitionCommand.clientDir(dir, c)).train().size()).isEqualTo(size);
      // 2 shards of 10,000 label-sorted examples span at most 3 classes each
      assertThat(Integer.parseInt(cells[12])).as("classes of client %d", c).isBetween(2, 6);
      total += size;
    }
    assertThat(total).isEqualTo(60_000);
    assertThat(lines.get(header + 4)).startsWith(" total  60000");
  }
}
