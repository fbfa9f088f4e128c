package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.privacy.RdpAccountant;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrivacyCommandTest {
  /** The exit code, standard output and standard error of {@code flotilla ARGS}. */
  static List<Object> run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = Main.run(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return List.of(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
  }

  private static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    return lines[lines.length - 1].strip();
  }

  @Test
  void printsTheEpsilonSpentWithTheNumberAloneLast() {
    List<Object> r = run("privacy", "--sampling-rate", "0.1", "--noise-multiplier", "1.1", "--rounds", "30",
        "--delta", "1e-5");
    assertThat(r.get(0)).isEqualTo(0);
    assertThat(Double.parseDouble(lastLine((String) r.get(1))))
        .isCloseTo(RdpAccountant.epsilon(0.1, 1.1, 30, 1e-5), within(1e-12));
  }

  @Test
  void printsTheNoiseMultiplierForATargetEpsilon() {
    List<Object> r = run("privacy", "--sampling-rate", "0.1", "--target-epsilon", "3", "--rounds", "30",
        "--delta", "1e-5");
    assertThat(r.get(0)).isEqualTo(0);
    double z = Double.parseDouble(lastLine((String) r.get(1)));
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
      List<Object> r = run(args);
      String err = ((String) r.get(2)).strip();
      assertThat(r.get(0)).isEqualTo(Main.USAGE_ERROR);
      assertThat(err).contains("flotilla privacy:", named[i]).doesNotContain("\n");
    }
  }
}
