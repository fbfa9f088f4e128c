package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.djl.model.Models;
import dev.flotilla.workflow.io.MetricsLog;
import dev.flotilla.workflow.io.SafeTensors;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flotilla simulate} from the command line, on a subset of Fashion-MNIST. */
class SimulateCommandTest {
  @TempDir
  Path dir;

  @Test
  void simulatesAndWritesTheRunsFiles() throws Exception {
    Path out = dir.resolve("sim");
    String[] output = capture("simulate", "--clients", "10", "--clients-per-round", "3", "--rounds", "2",
        "--scheme", "dirichlet:0.5", "--model", "mlp", "--seed", "3", "--train-examples", "2000",
        "--test-examples", "500", "--lr", "0.05", "--out", out.toString(), "--progress", "never");

    assertThat(output[0]).isEqualTo("0");
    assertThat(output[1]).contains("simulating 10 clients (3 per round, dirichlet:0.5, seed 3)", "round 0/2",
        "round 2/2", "best accuracy", "s per round", "peak heap");
    assertThat(Files.readAllLines(out.resolve(MetricsLog.FILE_NAME))).hasSize(3);
    assertThat(out.resolve("model.safetensors")).isNotEmptyFile();
    assertThat(out.resolve("accuracy.png")).isNotEmptyFile();
    assertThat(Files.readString(out.resolve("summary.json"))).contains("\"clients_per_round\": 3");
  }

  @Test
  void zeroRoundsWriteTheInitialModel() throws Exception {
    Path out = dir.resolve("none");
    String[] output = capture("simulate", "--clients", "4", "--clients-per-round", "2", "--rounds", "0",
        "--model", "mlp", "--seed", "5", "--train-examples", "400", "--test-examples", "0", "--out", out.toString(),
        "--progress", "never");

    assertThat(output[0]).as(output[1]).isEqualTo("0");
    assertThat(SafeTensors.read(out.resolve("model.safetensors")).contentEquals(Models.initialWeights("mlp", 5)))
        .isTrue();
  }

  @Test
  void aBadValueIsNamed() throws Exception {
    String[] output = capture("simulate", "--clients", "5", "--clients-per-round", "8", "--progress", "never");
    assertThat(output[0]).isNotEqualTo("0");
    assertThat(output[1]).contains("got 8");
    output = capture("simulate", "--clients", "5", "--scheme", "dirichlet:x", "--progress", "never");
    assertThat(output[1]).contains("'dirichlet:x'", "'x' is not a number");
  }

  /** Runs the command line; returns its exit code and what it printed on stdout and stderr. */
  static String[] capture(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream both = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    System.setOut(both);
    System.setErr(both);
    try {
      int code = Main.run(args);
      return new String[] {Integer.toString(code), bytes.toString(StandardCharsets.UTF_8)};
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }
}
