package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The launcher's warm-up: a real exchange between a server and a client in one process. */
@Timeout(120)
class WarmUpCommandTest {
  @Test
  void aWarmUpRunsItsRoundsBetweenAServerAndAClientOverLoopback() {
    Captured run = capture("warm-up", "--rounds", "3");

    assertThat(run.code).as(run.err).isZero();
    // The command checks the final model (each round adds one to every value) before it says so.
    assertThat(run.out).containsPattern("warm-up: 3 rounds between a server and a client over 127\\.0\\.0\\.1:\\d+");
  }

  @Test
  void aWarmUpWithoutRoundsIsRefusedInOneLine() {
    Captured run = capture("warm-up", "--rounds", "0");

    assertThat(run.code).isEqualTo(Main.USAGE_ERROR);
    assertThat(run.err).contains("flotilla warm-up: --rounds must be at least 1, got 0").doesNotContain("\tat ");
  }

  private record Captured(int code, String out, String err) {}

  private static Captured capture(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    try {
      int code = Main.run(args);
      return new Captured(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }
}
