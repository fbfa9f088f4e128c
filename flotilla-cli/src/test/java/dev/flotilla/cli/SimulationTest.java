package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.partition.Partitioners;
import dev.flotilla.core.strategy.StrategyOptions;
import dev.flotilla.djl.data.FashionMnist;
import dev.flotilla.djl.data.LabelledImages;
import dev.flotilla.djl.model.Models;
import dev.flotilla.sim.SimulationProgress;
import dev.flotilla.workflow.RoundRecord;
import dev.flotilla.workflow.io.MetricsLog;
import dev.flotilla.workflow.io.RunOutput;
import dev.flotilla.workflow.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Short simulations on a subset of Fashion-MNIST: they learn, write their output, and repeat exactly. */
class SimulationTest {
  private static LabelledImages train;
  private static LabelledImages test;

  @TempDir
  Path dir;

  @BeforeAll
  static void loadData() {
    train = FashionMnist.train().first(4000);
    test = FashionMnist.test().first(1000);
  }

  /** 20 clients, 5 per round, 3 rounds of the MLP (2 local epochs) on a Dirichlet(1.0) split of 4,000 examples. */
  private static SimulationSettings.Builder small(Path out) {
    return SimulationSettings.builder().model("mlp").clients(20, 5).rounds(3).seed(7)
        .partitioner(Partitioners.parse("dirichlet:1.0"))
        .trainConfig(Config.of("lr", 0.05, "momentum", 0.9, "batch_size", 32, "local_epochs", 2))
        .workers(2).out(out);
  }

  @Test
  void accuracyRisesAndTheOutputIsWritten() throws Exception {
    Path out = dir.resolve("sim");
    RecordingProgress progress = new RecordingProgress();
    SimulationResult result = Simulation.run(small(out).build(), train, test, progress);

    List<RoundRecord> records = result.records();
    assertThat(records).extracting(RoundRecord::round).containsExactly(0, 1, 2, 3);
    assertThat(records.get(0).accuracy()).isLessThan(0.25);
    assertThat(records.get(3).accuracy()).isGreaterThan(records.get(0).accuracy() + 0.25)
        .isGreaterThan(records.get(1).accuracy());
    assertThat(records.get(3).loss()).isLessThan(records.get(0).loss());
    assertThat(records.subList(1, 4)).allSatisfy(r -> {
      assertThat(r.clientsOk()).isEqualTo(5);
      assertThat(r.clientsFailed()).isZero();
      assertThat(r.bytesUp()).isEqualTo(5 * 4L * 199_210);
    });
    assertThat(progress.tasks).isEqualTo(15);
    assertThat(progress.rounds).isEqualTo(4);
    assertThat(progress.total).isEqualTo(15);

    List<String> standard = MetricsLog.KEYS.stream().filter(k -> !k.startsWith("fed_")).toList();
    List<String> lines = Files.readAllLines(out.resolve(MetricsLog.FILE_NAME));
    assertThat(lines).hasSize(4);
    List<String> initial = new java.util.ArrayList<>(standard);
    initial.add("sim_seconds"); // a simulation's clock, in every line
    assertThat(JsonParser.parseString(lines.get(0)).getAsJsonObject().keySet()).containsExactlyElementsOf(initial);
    List<String> trained = new java.util.ArrayList<>(standard);
    trained.addAll(List.of("train_loss", "train_accuracy", "train_seconds", "results_used", "sim_seconds"));
    assertThat(lines.subList(1, 4)).allSatisfy(line -> assertThat(
        JsonParser.parseString(line).getAsJsonObject().keySet()).containsExactlyElementsOf(trained));
    assertThat(SafeTensors.read(out.resolve(RunOutput.MODEL_FILE)).contentEquals(result.run().finalModel())).isTrue();
    byte[] png = Files.readAllBytes(out.resolve(RunOutput.CHART_FILE));
    assertThat(png).hasSizeGreaterThan(10_000);
    assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
    JsonObject summary = JsonParser.parseString(Files.readString(out.resolve(Simulation.SUMMARY_FILE)))
        .getAsJsonObject();
    assertThat(summary.get("scheme").getAsString()).isEqualTo("dirichlet:1.0");
    assertThat(summary.get("seed").getAsLong()).isEqualTo(7);
    assertThat(summary.get("final_accuracy").getAsDouble()).isEqualTo(records.get(3).accuracy());
    assertThat(summary.get("best_accuracy").getAsDouble()).isGreaterThanOrEqualTo(records.get(3).accuracy());
    assertThat(result.toText()).contains("best accuracy", "final accuracy", "s per round", "peak heap");
    assertThat(result.peakHeapUsedBytes()).isPositive();
  }

  @Test
  void theSameSeedGivesTheSameRunToTheLastDigit() throws Exception {
    SimulationResult first = Simulation.run(small(dir.resolve("a")).build(), train, test,
        SimulationProgress.silent());
    SimulationResult second = Simulation.run(small(dir.resolve("b")).build(), train, test,
        SimulationProgress.silent());

    assertThat(second.run().finalModel().contentEquals(first.run().finalModel())).isTrue();
    assertThat(withoutSeconds(dir.resolve("b"))).isEqualTo(withoutSeconds(dir.resolve("a")));
    assertThat(withoutSeconds(dir.resolve("a"))).hasSize(4);
  }

  @Test
  void anotherSeedGivesAnotherRun() throws Exception {
    SimulationResult seven = Simulation.run(small(null).rounds(1).build(), train, null, SimulationProgress.silent());
    SimulationResult eight = Simulation.run(small(null).rounds(1).seed(8).build(), train, null,
        SimulationProgress.silent());
    assertThat(eight.run().finalModel().contentEquals(seven.run().finalModel())).isFalse();
    assertThat(seven.records().get(1).accuracy()).isNull(); // no test set, no central evaluation
  }

  @Test
  void settingsNameTheBadValue() {
    assertThatThrownBy(() -> SimulationSettings.builder().clients(10, 11).build())
        .hasMessageContaining("got 11").hasMessageContaining("[1, 10]");
    assertThatThrownBy(() -> SimulationSettings.builder().strategy("fedsgd").build()).hasMessageContaining("'fedsgd'")
        .hasMessageContaining("krum");
    assertThatThrownBy(() -> SimulationSettings.builder().clients(10, 6).strategy("krum")
        .strategy(new StrategyChoice("krum", StrategyOptions.builder().byzantineF(2).build(), null)).build())
        .hasMessageContaining("krum with 6 clients per round");
    assertThatThrownBy(() -> SimulationSettings.builder().model("mlp")
        .strategy(new StrategyChoice("fedavg", StrategyOptions.defaults(), ".*")).build())
        .hasMessageContaining("'.*'");
    assertThatThrownBy(() -> SimulationSettings.builder().model("resnet").build()).hasMessageContaining("'resnet'");
    assertThatThrownBy(() -> SimulationSettings.builder().workers(0).build()).hasMessageContaining("got 0");
    assertThatThrownBy(() -> Simulation.run(small(null).fractionEvaluate(0.5).build(), train, null,
        SimulationProgress.silent())).hasMessageContaining("0.5");
    assertThat(Models.names()).contains("mlp");
  }

  /** The lines of {@code metrics.jsonl} in {@code out} without the wall-clock {@code seconds} and {@code train_seconds}. */
  private static List<String> withoutSeconds(Path out) throws Exception {
    return Files.readAllLines(out.resolve(MetricsLog.FILE_NAME)).stream()
        .map(line -> line.replaceAll("\"(train_)?seconds\":[0-9.E-]+,?", ""))
        .collect(Collectors.toList());
  }

  /** Counts what the simulation reports. */
  private static final class RecordingProgress implements SimulationProgress {
    long total;
    int tasks;
    int rounds;

    @Override
    public void started(long totalTasks, int rounds) {
      total = totalTasks;
    }

    @Override
    public synchronized void taskDone() {
      tasks++;
    }

    @Override
    public void roundDone(RoundRecord record) {
      rounds++;
    }
  }
}
