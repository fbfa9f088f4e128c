package dev.flotilla.cli;

import static dev.flotilla.cli.SimulateCommandTest.capture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.djl.model.Models;
import dev.flotilla.workflow.io.MetricsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --compress} and {@code --compress-down} of {@code flotilla simulate}, end to end on a subset. */
class CompressionOptionsTest {
  private static final String[] SMALL = {"simulate", "--clients", "4", "--clients-per-round", "4", "--rounds", "2",
      "--model", "mlp", "--train-examples", "1200", "--test-examples", "400", "--lr", "0.05", "--seed", "3",
      "--progress", "never"};

  @TempDir
  Path dir;

  private static String[] simulate(String... more) {
    String[] args = new String[SMALL.length + more.length];
    System.arraycopy(SMALL, 0, args, 0, SMALL.length);
    System.arraycopy(more, 0, args, SMALL.length, more.length);
    return capture(args);
  }

  @Test
  void int8BothWaysSendsAQuarterOfTheBytesAndLearnsAsMuch() throws Exception {
    Path out = dir.resolve("int8");
    String[] output = simulate("--compress", "int8+zstd", "--compress-down", "--out", out.toString());
    assertThat(output[0]).as(output[1]).isEqualTo("0");
    assertThat(output[1]).contains("compress int8+zstd both ways");
    List<MetricsFile.Line> lines = MetricsFile.read(out);
    double float32 = 4.0 * Models.initialWeights("mlp", 3).byteSize(); // 4 clients, a float32 model each
    MetricsFile.Line last = lines.get(2);
    assertThat(last.get("clients_failed").getAsDouble()).isZero();
    assertThat(last.get("bytes_up").getAsDouble()).isLessThan(float32 * 0.27);
    assertThat(last.get("bytes_down").getAsDouble()).isLessThan(float32 * 0.27);
    String[] plain = simulate("--out", dir.resolve("plain").toString());
    assertThat(plain[0]).as(plain[1]).isEqualTo("0");
    double uncompressed = MetricsFile.read(dir.resolve("plain")).get(2).get("accuracy").getAsDouble();
    assertThat(last.get("accuracy").getAsDouble()).isCloseTo(uncompressed, within(0.03)).isGreaterThan(0.3);
    assertThat(Files.readString(out.resolve("summary.json"))).contains("compress int8+zstd both ways");
  }

  @Test
  void badCompressionOptionsGetOneLineErrorsBeforeTheRun() {
    assertOneLineError(simulate("--compress", "int4"), "unknown codec 'int4'", "topk:RATIO");
    assertOneLineError(simulate("--compress", "topk:0.01", "--compress-down"), "--compress-down: topk:0.01",
        "fp16, bf16 or int8");
    assertOneLineError(simulate("--compress-down"), "--compress-down needs a codec");
  }

  private static void assertOneLineError(String[] output, String... parts) {
    assertThat(output[0]).as(output[1]).isNotEqualTo("0");
    List<String> lines = output[1].lines().filter(l -> !l.isBlank()).toList();
    assertThat(lines).as(output[1]).hasSize(1);
    assertThat(lines.get(0)).contains(parts);
  }
}
