package dev.flotilla.cli;

import static dev.flotilla.cli.SimulateCommandTest.capture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.workflow.io.MetricsFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --secagg} and {@code --he} of {@code flotilla simulate}, end to end on a subset. */
class SecureAggregationOptionsTest {
  private static final String[] SMALL = {"simulate", "--clients", "5", "--clients-per-round", "5", "--rounds", "2",
      "--model", "logreg", "--train-examples", "1500", "--test-examples", "500", "--lr", "0.05", "--seed", "3",
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
  void secureAggregationLearnsWhatThePlainRunLearns() throws Exception {
    String[] secure = simulate("--secagg", "--secagg-shares", "3", "--out", dir.resolve("secagg").toString());
    assertThat(secure[0]).as(secure[1]).isEqualTo("0");
    assertThat(secure[1]).contains("SecAgg+ (3 shares, threshold 2)");
    String[] plain = simulate("--out", dir.resolve("plain").toString());
    assertThat(plain[0]).as(plain[1]).isEqualTo("0");
    MetricsFile.Line last = MetricsFile.read(dir.resolve("secagg")).get(2);
    assertThat(last.get("secagg_clients").getAsDouble()).isEqualTo(5);
    assertThat(last.get("clients_ok").getAsDouble()).isEqualTo(5);
    double accuracy = MetricsFile.read(dir.resolve("plain")).get(2).get("accuracy").getAsDouble();
    assertThat(last.get("accuracy").getAsDouble()).isCloseTo(accuracy, within(0.01)).isGreaterThan(0.3);
  }

  @Test
  void whatCannotWorkOnASumGetsOneLineErrorsBeforeTheRun() {
    assertOneLineError(simulate("--secagg", "--strategy", "krum", "--byzantine-f", "1"), "--secagg gives the server"
        + " only the sum", "krum");
    assertOneLineError(simulate("--secagg", "--compress", "int8"), "cannot be combined with --compress");
    assertOneLineError(simulate("--secagg", "--dp", "central", "--dp-noise", "1"), "--dp central-client-clip");
    assertOneLineError(simulate("--secagg", "--secagg-shares", "4"), "odd");
    assertOneLineError(simulate("--secagg", "--secagg-threshold", "6"), "threshold");
    assertOneLineError(simulate("--secagg", "--secagg-modulus", "1000"), "power of two");
    assertOneLineError(simulate("--he", "rsa"), "unknown --he scheme 'rsa'");
    assertOneLineError(simulate("--he", "paillier", "--secagg"), "one of --secagg and --he");
    assertOneLineError(simulate("--secagg-stage-timeout", "5s"), "--secagg-stage-timeout needs --secagg");
    assertOneLineError(simulate("--he", "paillier", "--secagg-stage-timeout", "5s"), "is for --secagg, not --he");
  }

  private static void assertOneLineError(String[] output, String... parts) {
    assertThat(output[0]).as(output[1]).isNotEqualTo("0");
    List<String> lines = output[1].lines().filter(l -> !l.isBlank()).toList();
    assertThat(lines).as(output[1]).hasSize(1);
    for (String part : parts) {
      assertThat(lines.get(0)).contains(part);
    }
  }
}
