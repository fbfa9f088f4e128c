package dev.flotilla.cli;

import static dev.flotilla.cli.CommandOutput.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.privacy.RdpAccountant;
import org.junit.jupiter.api.Test;

class PrivacyCommandTest {
  private static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    return lines[lines.length - 1].strip();
  }

  @Test
  void printsTheEpsilonSpentWithTheNumberAloneLast() {
    CommandOutput r = run("privacy", "--sampling-rate", "0.1", "--noise-multiplier", "1.1", "--rounds", "30",
        "--delta", "1e-5");
    assertThat(r.code()).isEqualTo(0);
    assertThat(Double.parseDouble(lastLine(r.out())))
        .isCloseTo(RdpAccountant.epsilon(0.1, 1.1, 30, 1e-5), within(1e-12));
  }

  @Test
  void printsTheNoiseMultiplierForATargetEpsilon() {
    CommandOutput r = run("privacy", "--sampling-rate", "0.1", "--target-epsilon", "3", "--rounds", "30",
        "--delta", "1e-5");
    assertThat(r.code()).isEqualTo(0);
    double z = Double.parseDouble(lastLine(r.out()));
    assertThat(RdpAccountant.epsilon(0.1, z, 30, 1e-5)).isLessThanOrEqualTo(3).isGreaterThan(2.95);
  }

  @Test
  void badValuesGetOneLineNamingThem() {
    String[][] cases = {
        {"--sampling-rate", "1.5", "--noise-multiplier", "1", "--rounds", "3"},
        {"--sampling-rate", "0", "--noise-multiplier", "1", "--rounds", "3"},
        {"--sampling-rate", "0.1", "--noise-multiplier", "-1", "--rounds", "3"},
        {"--sampling-rate", "0.1", "--noise-multiplier", "1", "--rounds", "3", "--delta", "1"},
        {"--sampling-rate", "0.1", "--noise-multiplier", "1", "--rounds", "3", "--delta", "0"},
        {"--sampling-rate", "0.1", "--rounds", "3"},
    };
    String[] named = {"--sampling-rate", "--sampling-rate", "--noise-multiplier", "--delta", "--delta",
        "--noise-multiplier or --target-epsilon"};
    for (int i = 0; i < cases.length; i++) {
      String[] args = new String[cases[i].length + 1];
      args[0] = "privacy";
      System.arraycopy(cases[i], 0, args, 1, cases[i].length);
      CommandOutput r = run(args);
      String err = r.err().strip();
      assertThat(r.code()).isEqualTo(Main.USAGE_ERROR);
      assertThat(err).contains("flotilla privacy:", named[i]).doesNotContain("\n");
    }
  }
}
