package dev.flotilla.cli;

import static dev.flotilla.cli.SimulateCommandTest.capture;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.workflow.io.MetricsFile;
import dev.flotilla.workflow.io.MetricsLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flotilla simulate --workflow async} and the simulated clock, on a subset of Fashion-MNIST. */
class SimulateAsyncTest {
  @TempDir
  Path dir;

  private static String[] asyncRun(Path out, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("simulate", "--clients", "12", "--rounds", "4",
        "--model", "mlp", "--seed", "3", "--train-examples", "1200", "--test-examples", "300", "--lr", "0.05",
        "--workflow", "async", "--buffer", "3", "--concurrency", "5", "--stragglers", "0.25:10",
        "--out", out.toString(), "--progress", "never"));
    args.addAll(List.of(more));
    return capture(args.toArray(String[]::new));
  }

  /** Each line's keys and values, without the real-time ones. */
  private static List<Map<String, Double>> simulated(Path out) throws Exception {
    return MetricsFile.read(out.resolve(MetricsLog.FILE_NAME)).stream().map(l -> {
      Map<String, Double> m = new TreeMap<>(l.values());
      m.keySet().removeAll(List.of("seconds", "train_seconds", "bytes_up", "bytes_down"));
      return (Map<String, Double>) m;
    }).toList();
  }

  @Test
  void anAsynchronousSimulationWritesVersionsWithSimulatedTimeAndRepeatsForItsSeed() throws Exception {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    String[] first = asyncRun(a);
    String[] second = asyncRun(b);

    assertThat(first[0]).as(first[1]).isEqualTo("0");
    assertThat(second[0]).as(second[1]).isEqualTo("0");
    assertThat(first[1]).contains("asynchronous: FedBuff buffer 3, concurrency 5, polynomial:0.5", "round 4/4");
    List<Map<String, Double>> lines = simulated(a);
    assertThat(lines).hasSize(5);
    assertThat(lines.get(0).get("sim_seconds")).isEqualTo(0.0);
    for (int v = 1; v < lines.size(); v++) {
      assertThat(lines.get(v)).containsKeys("accuracy", "staleness_mean", "staleness_max", "stale_refused");
      assertThat(lines.get(v).get("clients_ok")).isEqualTo(3.0);
      assertThat(lines.get(v).get("sim_seconds")).isGreaterThanOrEqualTo(lines.get(v - 1).get("sim_seconds"));
    }
    assertThat(lines.get(4).get("sim_seconds")).isPositive();
    assertThat(simulated(b)).isEqualTo(lines);
    assertThat(Files.readString(a.resolve("summary.json"))).contains("\"workflow\": \"async FedBuff buffer 3",
        "\"client_speed\": \"stragglers:0.25:10\"", "final_sim_seconds");
  }

  @Test
  void aSynchronousRoundTakesItsSlowestClientOnTheSimulatedClock() throws Exception {
    // 100 examples per client: nominal 0.5 + 100 x 0.005 = 1 s, a straggler 0.5 + 10 x 0.5 = 5.5 s
    Path out = dir.resolve("sync");
    String[] run = capture("simulate", "--clients", "12", "--clients-per-round", "12", "--rounds", "2", "--model",
        "mlp", "--seed", "3", "--train-examples", "1200", "--test-examples", "0", "--stragglers", "0.25:10",
        "--out", out.toString(), "--progress", "never");
    assertThat(run[0]).as(run[1]).isEqualTo("0");
    assertThat(simulated(out)).extracting(m -> m.get("sim_seconds")).containsExactly(0.0, 5.5, 11.0);

    Path timed = dir.resolve("timeout");
    run = capture("simulate", "--clients", "12", "--clients-per-round", "12", "--rounds", "2", "--model",
        "mlp", "--seed", "3", "--train-examples", "1200", "--test-examples", "0", "--stragglers", "0.25:10",
        "--round-timeout", "2s", "--out", timed.toString(), "--progress", "never");
    assertThat(run[0]).as(run[1]).isEqualTo("0");
    List<Map<String, Double>> lines = simulated(timed);
    assertThat(lines).extracting(m -> m.get("sim_seconds")).containsExactly(0.0, 2.0, 4.0);
    assertThat(lines.get(1).get("clients_failed")).isEqualTo(3.0); // the 3 stragglers, dropped
  }

  @Test
  void serverOptimisersAndCentralPrivacyRunAsynchronouslyWithOneAccountantStepPerVersion() throws Exception {
    Path adam = dir.resolve("fedadam");
    String[] run = asyncRun(adam, "--strategy", "fedadam", "--server-lr", "0.01");
    assertThat(run[0]).as(run[1]).isEqualTo("0");
    assertThat(simulated(adam)).hasSize(5);

    Path dp = dir.resolve("dp");
    run = asyncRun(dp, "--dp", "central", "--dp-noise", "1.0", "--dp-clip", "1");
    assertThat(run[0]).as(run[1]).isEqualTo("0");
    List<Map<String, Double>> lines = simulated(dp);
    // 4 versions, each one step at sampling rate K / clients = 3 / 12
    String spent = capture("privacy", "--sampling-rate", "0.25", "--noise-multiplier", "1.0", "--rounds", "4",
        "--delta", "1e-5")[1].trim();
    double epsilon = Double.parseDouble(spent.substring(spent.lastIndexOf('\n') + 1).trim());
    assertThat(lines.get(4).get("epsilon")).isCloseTo(epsilon, org.assertj.core.api.Assertions.within(1e-3));
    assertThat(lines.get(1).get("epsilon")).isLessThan(lines.get(4).get("epsilon"));
  }

  @Test
  void strategiesThatCannotRunAsynchronouslyAreRefusedByName() {
    String[] run = asyncRun(dir.resolve("median"), "--strategy", "fedmedian");
    assertThat(run[0]).isNotEqualTo("0");
    assertThat(run[1]).contains("--workflow async cannot run this strategy", "FedMedian");
    run = asyncRun(dir.resolve("int8"), "--compress", "int8");
    assertThat(run[0]).isNotEqualTo("0");
    assertThat(run[1]).contains("--workflow async cannot run this strategy", "compressed");
    run = capture("simulate", "--clients", "4", "--workflow", "later", "--progress", "never");
    assertThat(run[1]).contains("unknown --workflow 'later'");
    run = capture("simulate", "--clients", "4", "--client-speed", "lognormal:1", "--stragglers", "0.2:10",
        "--progress", "never");
    assertThat(run[1]).contains("--client-speed or --stragglers, not both");
    run = capture("simulate", "--clients", "4", "--clients-per-round", "2", "--stragglers", "0.2", "--rounds", "0",
        "--model", "mlp", "--train-examples", "400", "--test-examples", "0", "--progress", "never");
    assertThat(run[0]).isNotEqualTo("0");
    assertThat(run[1]).contains("'stragglers:0.2'");
    run = capture("simulate", "--clients", "4", "--workflow", "async", "--staleness", "linear", "--progress", "never");
    assertThat(run[1]).contains("unknown staleness function 'linear'");
  }
}
