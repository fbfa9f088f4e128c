package dev.flotilla.cli;

import static dev.flotilla.cli.CommandOutput.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.strategy.StrategyState;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.store.RunSpec;
import dev.flotilla.store.RunStatus;
import dev.flotilla.store.RunStore;
import dev.flotilla.workflow.RoundRecord;
import dev.flotilla.workflow.io.MetricsFile;
import dev.flotilla.workflow.io.SafeTensors;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flotilla runs}, {@code flotilla export} and the store options of {@code flotilla server}, in this JVM. */
class StoredRunCommandsTest {
  @TempDir
  Path dir;

  private static final ModelWeights MODEL = ModelWeights.of(Tensor.of("fc.weight", new int[] {2}, new float[] {1, 2}));

  private void storeTwoRuns(Path state) throws Exception {
    try (RunStore store = RunStore.open(state, null)) {
      store.create("alpha", new RunSpec("fedavg", "logreg", 3, 1));
      store.saveRound("alpha", new RoundRecord(0, 0.1, 2.0, null, null, 0, 0, 0.5, 0, 0), MODEL,
          StrategyState.empty(), List.of("a", "b"));
      store.saveRound("alpha", new RoundRecord(1, 0.5, 1.0, null, null, 2, 0, 1.5, 10, 10), MODEL,
          new StrategyState(Config.of("k", 1L), ModelWeights.empty()), List.of("a", "b"));
      store.create("beta", new RunSpec("fedadam", "mlp", 5, 2));
      store.setStatus("beta", RunStatus.FAILED);
    }
  }

  @Test
  void runsListsEveryRunWithStatusAndProgress() throws Exception {
    Path state = dir.resolve("state");
    storeTwoRuns(state);
    CommandOutput r = run("runs", "--state-dir", state.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).containsPattern("alpha\\s+running\\s+1/3\\s+logreg")
        .containsPattern("beta\\s+failed\\s+-/5\\s+mlp");
  }

  @Test
  void aServerThatCannotStartLeavesItsRunFailedNotRunning() throws Exception {
    Path state = dir.resolve("state");
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CommandOutput r = run("server", "--host", "127.0.0.1", "--port", Integer.toString(busy.getLocalPort()),
          "--rounds", "2", "--min-clients", "1", "--model", "logreg", "--state-dir", state.toString(),
          "--run-id", "busy-port");
      assertThat(r.code()).as(r.err()).isNotZero();
      assertThat(r.err()).contains("cannot listen on 127.0.0.1:" + busy.getLocalPort());
    }
    try (RunStore store = RunStore.open(state, null)) {
      assertThat(store.find("busy-port").orElseThrow().status()).isEqualTo(RunStatus.FAILED);
    }
  }

  @Test
  void aRefusedCombinationStoresNoRun() throws Exception {
    Path state = dir.resolve("state");
    CommandOutput r = run("server", "--host", "127.0.0.1", "--port", "0", "--rounds", "2", "--min-clients", "3",
        "--model", "logreg", "--workflow", "async", "--secagg", "--secagg-shares", "3", "--state-dir", state.toString(),
        "--run-id", "refused");
    assertThat(r.code()).isEqualTo(Main.USAGE_ERROR);
    assertThat(r.err()).contains("--workflow async cannot run with secure aggregation");
    try (RunStore store = RunStore.open(state, null)) {
      assertThat(store.find("refused")).isEmpty();
    }
  }

  @Test
  void aStrategyTheAsyncWorkflowCannotRunStoresNoRun() throws Exception {
    Path state = dir.resolve("state");
    CommandOutput server = run("server", "--host", "127.0.0.1", "--port", "0", "--rounds", "2", "--min-clients", "3",
        "--model", "logreg", "--workflow", "async", "--strategy", "fedmedian", "--state-dir", state.toString(),
        "--run-id", "server-median");
    assertThat(server.code()).isEqualTo(Main.USAGE_ERROR);
    assertThat(server.err()).contains("--workflow async cannot run this strategy: FedMedian needs every result")
        .doesNotContain("\tat ");
    CommandOutput simulate = run("simulate", "--clients", "4", "--clients-per-round", "2", "--rounds", "2",
        "--model", "mlp", "--train-examples", "100", "--test-examples", "0", "--progress", "never", "--workflow",
        "async", "--buffer", "2", "--compress", "topk:0.1", "--state-dir", state.toString(), "--run-id", "sim-topk");
    assertThat(simulate.code()).isEqualTo(Main.USAGE_ERROR);
    assertThat(simulate.err()).contains("--workflow async cannot run this strategy:", "compressed or masked updates")
        .doesNotContain("\tat ");
    try (RunStore store = RunStore.open(state, null)) {
      assertThat(store.find("server-median")).isEmpty();
      assertThat(store.find("sim-topk")).isEmpty();
    }
  }

  @Test
  void exportWritesTheMetricsChartAndModelOfTheLastCompletedRound() throws Exception {
    Path state = dir.resolve("state");
    storeTwoRuns(state);
    Path out = dir.resolve("export");
    CommandOutput r = run("export", "alpha", "--state-dir", state.toString(), "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(MetricsFile.read(out.resolve("metrics.jsonl"))).extracting(MetricsFile.Line::round)
        .containsExactly(0, 1);
    assertThat(out.resolve("accuracy.png")).isNotEmptyFile();
    assertThat(SafeTensors.read(out.resolve("model.safetensors")).contentEquals(MODEL)).isTrue();
    assertThat(SafeTensors.readMetadata(out.resolve("model.safetensors"))).containsEntry("round", "1");
  }

  @Test
  void missingStoresAndRunsGetOneLineNamingThem() throws Exception {
    CommandOutput none = run("runs", "--state-dir", dir.resolve("nowhere").toString());
    assertThat(none.code()).isEqualTo(Main.USAGE_ERROR);
    assertThat(none.err()).contains("there is no run store in").contains("nowhere").doesNotContain("\tat ");

    Path state = dir.resolve("state");
    storeTwoRuns(state);
    CommandOutput unknown = run("export", "gamma", "--state-dir", state.toString(), "--out",
        dir.resolve("x").toString());
    assertThat(unknown.err()).contains("there is no run 'gamma'").doesNotContain("\tat ");
    CommandOutput empty = run("export", "beta", "--state-dir", state.toString(), "--out", dir.resolve("x").toString());
    assertThat(empty.err()).contains("run beta has completed no round yet").doesNotContain("\tat ");
  }

  @Test
  void aServerRefusesToResumeWhatCannotBeResumed() throws Exception {
    Path state = dir.resolve("state");
    CommandOutput nothing = run("server", "--host", "127.0.0.1", "--port", "0", "--model", "logreg", "--resume",
        "--state-dir", state.toString());
    assertThat(nothing.code()).isEqualTo(Main.USAGE_ERROR);
    assertThat(nothing.err()).contains("there is no unfinished run in").doesNotContain("\tat ");

    storeTwoRuns(state);
    CommandOutput other = run("server", "--host", "127.0.0.1", "--port", "0", "--model", "logreg", "--rounds", "3",
        "--seed", "1", "--strategy", "fedadam", "--resume", "--run-id", "alpha", "--state-dir", state.toString());
    assertThat(other.err()).contains("run alpha was started with strategy 'fedavg', not 'fedadam'")
        .doesNotContain("\tat ");
    CommandOutput taken = run("server", "--host", "127.0.0.1", "--port", "0", "--model", "logreg", "--run-id", "alpha",
        "--state-dir", state.toString());
    assertThat(taken.err()).contains("a run 'alpha' exists already; add --resume").doesNotContain("\tat ");
  }

  @Test
  void aResumeWithAnotherWorkflowOrOtherAsynchronousSettingsIsRefusedNamingTheDifference() throws Exception {
    Path state = dir.resolve("state");
    storeTwoRuns(state);
    String async = "async --buffer 2 --concurrency 2 --staleness polynomial:0.5 --max-staleness 10";
    try (RunStore store = RunStore.open(state, null)) {
      store.create("gamma", new RunSpec("fedavg", "logreg", 3, 1, async));
    }
    String[] common = {"server", "--host", "127.0.0.1", "--port", "0", "--model", "logreg", "--rounds", "3",
        "--seed", "1", "--resume", "--state-dir", state.toString()};

    CommandOutput syncAsAsync = run(concat(common, "--run-id", "alpha", "--workflow", "async", "--buffer", "2",
        "--concurrency", "2"));
    assertThat(syncAsAsync.code()).isEqualTo(Main.USAGE_ERROR);
    assertThat(syncAsAsync.err()).contains("run alpha was started with the synchronous workflow, not --workflow"
        + " async; resume it with the options it was started with").doesNotContain("\tat ");

    CommandOutput asyncAsSync = run(concat(common, "--run-id", "gamma"));
    assertThat(asyncAsSync.code()).isEqualTo(Main.USAGE_ERROR);
    assertThat(asyncAsSync.err()).contains("run gamma was started with --workflow " + async
        + ", not the synchronous workflow").doesNotContain("\tat ");

    CommandOutput otherBuffer = run(concat(common, "--run-id", "gamma", "--workflow", "async", "--buffer", "3",
        "--concurrency", "2"));
    assertThat(otherBuffer.code()).isEqualTo(Main.USAGE_ERROR);
    assertThat(otherBuffer.err()).contains("run gamma was started with --buffer 2, not --buffer 3")
        .doesNotContain("\tat ");
    CommandOutput otherStaleness = run(concat(common, "--run-id", "gamma", "--workflow", "async", "--buffer", "2",
        "--concurrency", "2", "--staleness", "constant"));
    assertThat(otherStaleness.err())
        .contains("run gamma was started with --staleness polynomial:0.5, not --staleness constant");

    CommandOutput listed = run("runs", "--state-dir", state.toString());
    assertThat(listed.out()).containsPattern("gamma\\s+running\\s+-/3\\s+logreg\\s+server.*fedavg; " + async)
        .containsPattern("alpha\\s+running\\s+1/3\\s+logreg\\s+server\\s+\\S+ \\S+\\s+fedavg\\R");
  }

  private static String[] concat(String[] first, String... more) {
    String[] out = java.util.Arrays.copyOf(first, first.length + more.length);
    System.arraycopy(more, 0, out, first.length, more.length);
    return out;
  }
}
