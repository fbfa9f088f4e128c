package dev.flotilla.workflow.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Line charts of a metric against rounds or against another key such as simulated time. */
class ComparisonChartTest {
  @TempDir
  Path dir;

  private static ComparisonChart.Run run(String label, double... accuracyAndSeconds) {
    List<MetricsFile.Line> lines = new java.util.ArrayList<>();
    for (int i = 0; i < accuracyAndSeconds.length; i += 2) {
      lines.add(new MetricsFile.Line(Map.of("round", (double) i / 2, "accuracy", accuracyAndSeconds[i],
          "sim_seconds", accuracyAndSeconds[i + 1])));
    }
    return new ComparisonChart.Run("", label, lines);
  }

  @Test
  void drawsAMetricAgainstSimulatedTime() throws Exception {
    Path png = dir.resolve("time.png");
    ComparisonChart.lines(png, "time to accuracy", "sim_seconds", "accuracy",
        List.of(run("sync", 0.1, 0, 0.5, 30, 0.7, 60), run("async", 0.1, 0, 0.6, 4, 0.75, 9)));
    byte[] bytes = Files.readAllBytes(png);
    assertThat(bytes).hasSizeGreaterThan(5_000);
    assertThat(bytes[1]).isEqualTo((byte) 'P'); // \x89PNG
  }

  @Test
  void aKeyNoRunHasIsNamed() {
    assertThatThrownBy(() -> ComparisonChart.lines(dir.resolve("x.png"), "", "wall_clock", "accuracy",
        List.of(run("sync", 0.1, 0)))).hasMessageContaining("accuracy against wall_clock");
  }
}
