package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The launcher's warm-up: a real exchange between a server and a client in one process. */
@Timeout(120)
class WarmUpCommandTest {
  @Test
  void aWarmUpRunsItsRoundsBetweenAServerAndAClientOverLoopback() {
    CommandOutput run = CommandOutput.run("warm-up", "--rounds", "3");

    assertThat(run.code()).as(run.err()).isZero();
    // The command checks the final model (each round adds one to every value) before it says so.
    assertThat(run.out()).containsPattern("warm-up: 3 rounds between a server and a client over 127\\.0\\.0\\.1:\\d+");
  }

  @Test
  void aWarmUpWithoutRoundsIsRefusedInOneLine() {
    CommandOutput run = CommandOutput.run("warm-up", "--rounds", "0");

    assertThat(run.code()).isEqualTo(Main.USAGE_ERROR);
    assertThat(run.err()).contains("flotilla warm-up: --rounds must be at least 1, got 0").doesNotContain("\tat ");
  }
}
