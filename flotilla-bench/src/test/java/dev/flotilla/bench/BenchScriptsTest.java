package dev.flotilla.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scripts of {@code bench/} that compare Flotilla with Flower: their refusals of bad arguments, and the ratios
 * {@code versus_flower.py} computes from the files the runs leave (fixtures here, with the fields the real runs write).
 */
@Timeout(60)
class BenchScriptsTest {
  private static final Path BENCH = Path.of("..", "bench").toAbsolutePath().normalize();

  @TempDir Path dir;

  private record Run(int exit, String out, String err) {}

  private Run run(List<String> command) throws IOException, InterruptedException {
    Path out = dir.resolve("stdout");
    Path err = dir.resolve("stderr");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void versusFlowerRefusesAMissingOrUnknownWorkloadInOneLine() throws Exception {
    Run none = run(List.of("bash", BENCH.resolve("versus-flower.sh").toString()));
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).isEqualTo("give w1, w3 or all (see --help)\n");

    Run unknown = run(List.of("bash", BENCH.resolve("versus-flower.sh").toString(), "w2"));
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err())
        .isEqualTo("unknown argument 'w2': give w1, w3 or all, then --outdir DIR or --port N (see --help)\n");

    Run port = run(List.of("bash", BENCH.resolve("versus-flower.sh").toString(), "w3", "--port", "80"));
    assertThat(port.exit()).isEqualTo(2);
    assertThat(port.err()).isEqualTo("--port must be in 1024..65000, got 80\n");
  }

  @Test
  void theSummariserRefusesAnUnknownWorkloadOrAMissingDirectoryInOneLine() throws Exception {
    Run unknown = run(List.of(python(), BENCH.resolve("versus_flower.py").toString(), "w2", dir.toString()));
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err()).isEqualTo("versus_flower.py: usage: versus_flower.py w1|w3 OUTDIR\n");

    Path missing = dir.resolve("missing");
    Run absent = run(List.of(python(), BENCH.resolve("versus_flower.py").toString(), "w3", missing.toString()));
    assertThat(absent.exit()).isEqualTo(2);
    assertThat(absent.err()).isEqualTo("versus_flower.py: " + missing + " is not a directory\n");

    Run empty = run(List.of(python(), BENCH.resolve("versus_flower.py").toString(), "w3", dir.toString()));
    assertThat(empty.exit()).isEqualTo(2);
    assertThat(empty.err()).startsWith("versus_flower.py: cannot read " + dir.resolve("w3-flower/summary.json"))
        .endsWith("\n").hasLineCount(1);

    Run partial = run(List.of(python(), BENCH.resolve("versus_flower.py").toString(), "w1", dir.toString()));
    assertThat(partial.exit()).isEqualTo(2);
    assertThat(partial.err()).startsWith("versus_flower.py: cannot summarise w1 in " + dir + ": FileNotFoundError")
        .hasLineCount(1);
  }

  @Test
  void w3RefusesAClassDataSharingSettingOrAJavaItCannotRunInOneLine() throws Exception {
    Run r = run(List.of("bash", BENCH.resolve("w3.sh").toString(), "--cds", "maybe"));
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("--cds must be on, off or aot, got 'maybe'\n");

    Path notJava = dir.resolve("no-java");
    Run j = run(List.of("bash", BENCH.resolve("w3.sh").toString(), "--java", notJava.toString()));
    assertThat(j.exit()).isEqualTo(2);
    assertThat(j.err()).isEqualTo("--java '" + notJava + "' does not run\n");
  }

  @Test
  void w3RatiosAreFlotillasMedianRoundOverFlowersForEachRunAndAFailedCheckShows() throws Exception {
    write("w3-flower/summary.json", """
        {"combined": [{"K": 10, "P": 1000000, "median_round_s_r2_6": {"median": 0.2},
          "server_peak_rss_mib": {"median": 500}, "client0_peak_rss_mib": {"median": 120}}]}""");
    write("w3-flotilla-a/summary.json", w3Case(0.5, true));
    write("w3-flotilla-b/summary.json", w3Case(0.06, false));

    Run r = run(List.of(python(), BENCH.resolve("versus_flower.py").toString(), "w3", dir.toString()));

    assertThat(r.err()).isEmpty();
    assertThat(r.exit()).isZero();
    JsonObject result = JsonParser.parseString(Files.readString(dir.resolve("versus-w3.json"))).getAsJsonObject();
    JsonArray ratio = result.getAsJsonArray("cases").get(0).getAsJsonObject().getAsJsonArray("ratio");
    assertThat(ratio.get(0).getAsDouble()).isCloseTo(2.5, within(1e-12));
    assertThat(ratio.get(1).getAsDouble()).isCloseTo(0.3, within(1e-12));
    assertThat(r.out()).contains(" 10 x  1,000,000").contains("CHECK FAILED");
  }

  @Test
  void w1RatiosAndTheFloorComeFromRoundsTwoOnAndTheWarmTrainingRounds() throws Exception {
    for (String side : List.of("a", "b")) {
      StringBuilder metrics = new StringBuilder("{\"round\": 0, \"seconds\": 0.0, \"accuracy\": 0.1}\n");
      double[] seconds = side.equals("a") ? new double[] {20, 11, 12, 10} : new double[] {20, 13, 14, 12};
      for (int round = 1; round <= seconds.length; round++) {
        metrics.append("{\"round\": ").append(round).append(", \"seconds\": ").append(seconds[round - 1])
            .append(", \"accuracy\": 0.7").append(round).append("}\n");
      }
      write("w1-flotilla-" + side + "/run/metrics.jsonl", metrics.toString());
      write("w1-flotilla-" + side + "/logs/server.time", "\tMaximum resident set size (kbytes): 563200\n");
      write("w1-flotilla-" + side + "/logs/client-0.time", "\tMaximum resident set size (kbytes): 409600\n");
    }
    write("w1-flower/rounds.json", """
        {"rows": [{"round": 0, "round_wall_s": 9, "test_acc": 0.1}, {"round": 1, "round_wall_s": 40, "test_acc": 0.5},
          {"round": 2, "round_wall_s": 30, "test_acc": 0.6}, {"round": 3, "round_wall_s": 28, "test_acc": 0.7},
          {"round": 4, "round_wall_s": 26, "test_acc": 0.76}]}""");
    write("w1-flower/time_server.txt", "\tMaximum resident set size (kbytes): 655360\n");
    write("w1-flower/time_client0.txt", "\tMaximum resident set size (kbytes): 481280\n");
    write("training-benchmark.log", """
        round 0: 6000 examples in 3.00 s = 2000 examples/s (x), train loss 2.2
          central evaluation of 10000: 1.50 s (1.50 CPU-s), loss 2.0, accuracy 0.4
        round 1: 6000 examples in 2.00 s = 3000 examples/s (x), train loss 1.4
          central evaluation of 10000: 1.40 s (1.40 CPU-s), loss 1.3, accuracy 0.5
        round 2: 6000 examples in 2.00 s = 3000 examples/s (x), train loss 1.0
        """);

    Run r = run(List.of(python(), BENCH.resolve("versus_flower.py").toString(), "w1", dir.toString()));

    assertThat(r.err()).isEmpty();
    assertThat(r.exit()).isZero();
    JsonObject result = JsonParser.parseString(Files.readString(dir.resolve("versus-w1.json"))).getAsJsonObject();
    // medians of rounds 2-4: Flotilla 11 and 13 s, Flower 28 s; the floor from rounds 1-2 only: 3,000 examples/s
    assertThat(result.getAsJsonArray("ratio").get(0).getAsDouble()).isCloseTo(11.0 / 28, within(1e-12));
    assertThat(result.getAsJsonArray("ratio").get(1).getAsDouble()).isCloseTo(13.0 / 28, within(1e-12));
    int cores = result.get("cores").getAsInt();
    assertThat(result.get("floor_s").getAsDouble()).isCloseTo(60_000.0 / (cores * 3000), within(1e-12));
    assertThat(result.getAsJsonArray("floor_ratio").get(0).getAsDouble())
        .isCloseTo(11.0 * cores * 3000 / 60_000, within(1e-12));
    assertThat(r.out()).contains("Flower 28.00 s, accuracy 0.7600, peak RSS server 640 / clients 470 MiB")
        .contains("Flotilla 11.00 s (ratio 0.393").contains("peak RSS server 550 / clients 400 MiB");
  }

  private static String w3Case(double seconds, boolean correct) {
    return """
        {"cases": [{"K": 10, "P": 1000000, "median_round_s_r2_6": %s, "correct": %s, "server_peak_rss_mib": 150,
          "server_above_idle_models": 24.0, "client_peak_rss_mib_min_med_max": [76, 77, 78]}]}"""
        .formatted(seconds, correct);
  }

  private void write(String relative, String text) throws IOException {
    Path file = dir.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text.stripIndent(), StandardCharsets.UTF_8);
  }

  private static String python() {
    return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
  }
}
