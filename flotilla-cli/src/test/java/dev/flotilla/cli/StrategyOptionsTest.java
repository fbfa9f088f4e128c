package dev.flotilla.cli;

import static dev.flotilla.cli.SimulateCommandTest.capture;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.flotilla.workflow.io.MetricsFile;
import dev.flotilla.workflow.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The strategy, personalisation and attack options of {@code flotilla simulate}, end to end on a subset of
 * Fashion-MNIST; and their one-line errors, before any run starts.
 */
class StrategyOptionsTest {
  private static final String[] SMALL = {"simulate", "--clients", "8", "--clients-per-round", "8", "--rounds", "2",
      "--model", "mlp", "--train-examples", "1600", "--test-examples", "400", "--lr", "0.05", "--seed", "3",
      "--progress", "never"};

  @TempDir
  Path dir;

  private String[] simulate(String... more) {
    String[] args = new String[SMALL.length + more.length];
    System.arraycopy(SMALL, 0, args, 0, SMALL.length);
    System.arraycopy(more, 0, args, SMALL.length, more.length);
    return capture(args);
  }

  @Test
  void aServerOptimiserRunsAndReportsItsMetrics() throws Exception {
    Path out = dir.resolve("adam");
    String[] output = simulate("--strategy", "fedadam", "--server-lr", "0.01", "--tau", "0.001", "--out",
        out.toString());
    assertThat(output[0]).as(output[1]).isEqualTo("0");
    List<MetricsFile.Line> lines = MetricsFile.read(out);
    assertThat(lines).hasSize(3);
    assertThat(lines.get(2).get("pseudo_gradient_norm")).isPresent();
    assertThat(lines.get(2).get("train_loss")).isPresent();
    JsonObject summary = JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject();
    assertThat(summary.get("strategy").getAsString()).isEqualTo("fedadam");
  }

  @Test
  void fedPerKeepsTheHeadOnTheSitesAndReportsThePerClientSpread() throws Exception {
    Path out = dir.resolve("fedper");
    String[] output = simulate("--scheme", "shards:2", "--personalize", "fedper", "--fraction-evaluate", "1",
        "--out", out.toString());
    assertThat(output[0]).as(output[1]).isEqualTo("0");
    MetricsFile.Line last = MetricsFile.read(out).get(2);
    assertThat(last.get("fed_accuracy")).isPresent();
    assertThat(last.get("fed_accuracy_std")).isPresent();
    assertThat(last.get("fed_clients").getAsDouble()).isEqualTo(8);
    // the head was never averaged: the saved global model still has the initial head
    var saved = SafeTensors.read(out.resolve("model.safetensors"));
    var initial = dev.flotilla.djl.model.Models.initialWeights("mlp", 3);
    assertThat(saved.get("fc3.weight").contentEquals(initial.get("fc3.weight"))).isTrue();
    assertThat(saved.get("fc1.weight").contentEquals(initial.get("fc1.weight"))).isFalse();
  }

  @Test
  void aRobustAggregatorWithstandsScaledUpdatesThatWreckFedAvg() throws Exception {
    String[] fedAvg = simulate("--byzantine", "2:scale:-20", "--momentum", "0.9", "--out", dir.resolve("a").toString());
    String[] median = simulate("--byzantine", "2:scale:-20", "--momentum", "0.9", "--strategy", "fedmedian", "--out",
        dir.resolve("b").toString());
    assertThat(fedAvg[0]).as(fedAvg[1]).isEqualTo("0");
    assertThat(median[0]).as(median[1]).isEqualTo("0");
    double attacked = MetricsFile.read(dir.resolve("a")).get(2).get("accuracy").getAsDouble();
    double robust = MetricsFile.read(dir.resolve("b")).get(2).get("accuracy").getAsDouble();
    assertThat(robust).as("median %s, FedAvg %s", robust, attacked).isGreaterThan(0.35).isGreaterThan(attacked + 0.2);
  }

  @Test
  void badStrategyOptionsGetOneLineErrorsBeforeTheRun() {
    assertOneLineError(simulate("--strategy", "fedsgd"), "unknown strategy 'fedsgd'", "krum");
    assertOneLineError(simulate("--strategy", "trimmed-mean", "--trim-beta", "0.5"), "0.5");
    assertOneLineError(simulate("--strategy", "krum", "--byzantine-f", "3"), "krum with 8 clients per round");
    assertOneLineError(simulate("--strategy", "bulyan", "--byzantine-f", "2"), "bulyan with 8 clients per round");
    assertOneLineError(simulate("--strategy", "fedprox", "--proximal-mu", "-1"), "-1");
    assertOneLineError(simulate("--personalize", "fedbn"), "no normalisation layers");
    assertOneLineError(simulate("--personalize", "fedxx"), "unknown --personalize 'fedxx'");
    assertOneLineError(simulate("--local-layers", ".*"), "'.*'");
    assertOneLineError(simulate("--byzantine", "2:flip"), "unknown attack", "signflip");
    assertOneLineError(simulate("--byzantine", "9:signflip"), "Byzantine");
  }

  private static void assertOneLineError(String[] output, String... parts) {
    assertThat(output[0]).as(output[1]).isNotEqualTo("0");
    List<String> lines = output[1].lines().filter(l -> !l.isBlank()).toList();
    assertThat(lines).as(output[1]).hasSize(1);
    assertThat(lines.get(0)).contains(parts);
  }
}
