package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  @TempDir
  Path dir;

  @Test
  void badInputGetsOneLineNamingTheProblem() {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = Main.run("partition", "--clients", "3", "--scheme", "bogus:1", "--out", dir.toString());
    } finally {
      System.setErr(err);
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    assertThat(code).isEqualTo(Main.USAGE_ERROR);
    assertThat(text).contains("flotilla partition:").contains("bogus").doesNotContain("\tat ");
  }

  @Test
  void aServerWithAMaxConcurrentFitBelowOneStopsBeforeListening() {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = Main.run("server", "--host", "127.0.0.1", "--port", "0", "--max-concurrent-fit", "0");
    } finally {
      System.setErr(err);
    }
    assertThat(code).isEqualTo(Main.USAGE_ERROR);
    assertThat(captured.toString(StandardCharsets.UTF_8)).contains("maxConcurrentFit must be >= 1, got 0")
        .doesNotContain("\tat ");
  }

  @Test
  void partitionWritesOneFolderPerClient() {
    int code = Main.run("partition", "--clients", "3", "--scheme", "shards:2", "--seed", "5", "--out", dir.toString());
    assertThat(code).isZero();
    for (int c = 0; c < 3; c++) {
      assertThat(dir.resolve("client-" + c).resolve("train-images-idx3-ubyte")).isRegularFile();
      assertThat(dir.resolve("client-" + c).resolve("train-labels-idx1-ubyte")).isRegularFile();
    }
    assertThat(dir.resolve("client-3")).doesNotExist();
  }
}
