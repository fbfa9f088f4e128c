package dev.flotilla.bench.w3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The W3 processes' command lines: values read as given, and every bad one a one-line error naming it. */
@Timeout(60)
class W3OptionsTest {
  private static final Set<String> KNOWN = Set.of("port", "params", "lend-uploads", "outdir");

  @Test
  void readsTheValuesGivenAndTheDefaultsOfTheOthers() {
    W3Options a = W3Options.parse(new String[] {"--port", "19000", "--params", "5000000000", "--lend-uploads",
        "true"}, KNOWN);
    assertThat(a.integer("port", 18400, 0)).isEqualTo(19000);
    assertThat(a.longInteger("params", 1, 4)).isEqualTo(5_000_000_000L);
    assertThat(a.bool("lend-uploads", false)).isTrue();
    assertThat(a.has("outdir")).isFalse();
    assertThat(a.string("outdir", ".")).isEqualTo(".");
  }

  @Test
  void aBadValueNamesItsOptionAndTheValue() {
    W3Options a = W3Options.parse(new String[] {"--port", "x19", "--params", "2", "--lend-uploads", "yes"}, KNOWN);
    assertThatThrownBy(() -> a.integer("port", 18400, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--port must be an integer, got 'x19'");
    assertThatThrownBy(() -> a.longInteger("params", 1, 4)).hasMessage("--params must be at least 4, got 2");
    assertThatThrownBy(() -> a.bool("lend-uploads", false))
        .hasMessage("--lend-uploads must be true or false, got 'yes'");
    W3Options big = W3Options.parse(new String[] {"--port", "3000000000"}, KNOWN);
    assertThatThrownBy(() -> big.integer("port", 18400, 0)).hasMessageContaining("--port must be at most");
  }

  @Test
  void anUnknownOptionOrAMissingValueIsRefused() {
    assertThatThrownBy(() -> W3Options.parse(new String[] {"--prot", "1"}, KNOWN))
        .hasMessageStartingWith("unknown option '--prot' (options: --lend-uploads, --outdir, --params, --port)");
    assertThatThrownBy(() -> W3Options.parse(new String[] {"--port"}, KNOWN))
        .hasMessage("expected --name value pairs, got '--port'");
  }

  @Test
  void theProcessesExitWithOneLineAndStatusTwo() throws Exception {
    assertThat(run("W3Server", "--lend-uploads", "yes"))
        .isEqualTo(List.of("exit 2", "W3Server: --lend-uploads must be true or false, got 'yes'"));
    assertThat(run("W3Server", "--params", "10"))
        .isEqualTo(List.of("exit 2", "W3Server: --params: P must be a positive multiple of 4 with at most 2^31 - 9 per "
            + "tensor, got 10"));
    assertThat(run("W3Server", "--port", "70000"))
        .isEqualTo(List.of("exit 2", "W3Server: port must be in [0, 65535], got 70000"));
    assertThat(run("W3Client", "--cid", "-1"))
        .isEqualTo(List.of("exit 2", "W3Client: --cid must be at least 0, got -1"));
  }

  /** Runs {@code main} of class {@code name} in a JVM of its own: its exit status, then its lines on stderr. */
  private static List<String> run(String name, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xshare:auto", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), "dev.flotilla.bench.w3." + name));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    List<String> out = new ArrayList<>(List.of("exit " + p.exitValue()));
    err.lines().filter(l -> !l.startsWith("WARNING")).forEach(out::add);
    return out;
  }
}
