package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.partition.Partitioners;
import dev.flotilla.core.client.ClientState;
import dev.flotilla.core.strategy.StrategyState;
import dev.flotilla.dashboard.Dashboard;
import dev.flotilla.dashboard.RunView;
import dev.flotilla.djl.data.FashionMnist;
import dev.flotilla.djl.data.LabelledImages;
import dev.flotilla.sim.ClientStates;
import dev.flotilla.store.Checkpoint;
import dev.flotilla.store.RunSpec;
import dev.flotilla.store.RunStatus;
import dev.flotilla.store.RunStore;
import dev.flotilla.store.StoredRun;
import dev.flotilla.workflow.RoundRecord;
import dev.flotilla.workflow.io.MetricsFile;
import dev.flotilla.workflow.io.MetricsLog;
import dev.flotilla.workflow.io.RunOutput;
import dev.flotilla.workflow.io.SafeTensors;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Simulations stored after every round and resumed: an interrupted, resumed simulation ends with the model and
 * metrics of an uninterrupted one, the clients' error-feedback residuals included; a resume with other settings is
 * refused; {@code flotilla runs} lists simulations.
 */
class StoredSimulationTest {
  private static LabelledImages train;
  private static LabelledImages test;

  @TempDir
  Path dir;

  @BeforeAll
  static void loadData() {
    train = FashionMnist.train().first(1200);
    test = FashionMnist.test().first(300);
  }

  /**
   * 6 clients, 3 per round, 4 rounds of the MLP with top-k compression and error feedback: clients sampled again
   * after the interruption need the residuals they kept before it.
   */
  private static SimulationSettings settings(Path out) {
    return SimulationSettings.builder().model("mlp").clients(6, 3).rounds(4).seed(11)
        .strategy(StrategyChoice.fedAvg().withCompression(new CompressionChoice("topk:0.05", false)))
        .partitioner(Partitioners.parse("dirichlet:1.0"))
        .trainConfig(Config.of("lr", 0.05, "momentum", 0.9, "batch_size", 32, "local_epochs", 1))
        .workers(2).out(out).build();
  }

  private static RunSpec spec(SimulationSettings s) {
    return StoredSimulation.spec(s, train.size(), test.size(), null);
  }

  private StoreOptionsMixin store() {
    StoreOptionsMixin options = new StoreOptionsMixin();
    options.stateDir = dir.resolve("state");
    return options;
  }



  @Test
  void anInterruptedSimulationResumesToTheResultsOfAnUninterruptedOne() throws Exception {
    SimulationSettings whole = settings(dir.resolve("whole"));
    SimulationResult uninterrupted = Simulation.run(whole, train, test, StoppingProgress.never());

    SimulationSettings first = settings(dir.resolve("first"));
    try (RunPersistence persistence = RunPersistence.open(store(), "sim", false, spec(first), 0)) {
      assertThatThrownBy(() -> Simulation.run(first, train, test, StoppingProgress.after(2), Dashboard.disabled(), null,
          persistence)).hasMessageContaining("interrupted after round 2");
    }
    try (RunStore opened = RunStore.open(dir.resolve("state"), null)) {
      StoredRun run = opened.find("sim").orElseThrow();
      assertThat(run.status()).isEqualTo(RunStatus.FAILED);
      assertThat(run.lastRound()).hasValue(2);
      assertThat(run.spec().kind()).isEqualTo(RunSpec.SIMULATION);
    }

    Path resumedOut = dir.resolve("resumed");
    SimulationSettings second = settings(resumedOut);
    SimulationResult resumed;
    try (RunPersistence persistence = RunPersistence.open(store(), "sim", true, spec(second), 0)) {
      resumed = Simulation.run(second, train, test, StoppingProgress.never(), Dashboard.disabled(), null, persistence);
    }

    assertThat(resumed.run().finalModel().contentEquals(uninterrupted.run().finalModel())).isTrue();
    assertThat(resumed.records()).extracting(RoundRecord::round).containsExactly(0, 1, 2, 3, 4);
    for (int r = 0; r <= 4; r++) {
      RoundRecord a = uninterrupted.records().get(r);
      RoundRecord b = resumed.records().get(r);
      assertThat(b.accuracy()).as("accuracy of round %d", r).isEqualTo(a.accuracy());
      assertThat(b.loss()).as("loss of round %d", r).isEqualTo(a.loss());
      assertThat(b.metrics().get("train_loss")).as("train_loss of round %d", r).isEqualTo(a.metrics().get("train_loss"));
      assertThat(b.metrics().get("sim_seconds")).as("sim_seconds of round %d", r)
          .isEqualTo(a.metrics().get("sim_seconds"));
      assertThat(b.bytesUp()).isEqualTo(a.bytesUp());
    }
    // the resumed run's output folder covers the whole run
    assertThat(MetricsFile.read(resumedOut.resolve(MetricsLog.FILE_NAME))).extracting(MetricsFile.Line::round)
        .containsExactly(0, 1, 2, 3, 4);
    assertThat(SafeTensors.read(resumedOut.resolve(RunOutput.MODEL_FILE))
        .contentEquals(uninterrupted.run().finalModel())).isTrue();
    try (RunStore opened = RunStore.open(dir.resolve("state"), null)) {
      assertThat(opened.find("sim").orElseThrow().status()).isEqualTo(RunStatus.FINISHED);
    }
  }

  /** Runs {@code s} stored as run {@code id}, to the end, or stopped after round {@code stop}; returns its result. */
  private SimulationResult stored(String id, SimulationSettings s, boolean resume, int stop, Dashboard dashboard)
      throws Exception {
    try (RunPersistence persistence = RunPersistence.open(store(), id, resume, spec(s), 0)) {
      return Simulation.run(s, train, test, StoppingProgress.after(stop), dashboard, null, persistence);
    } catch (IllegalStateException e) {
      assertThat(e).hasMessageContaining("interrupted after round " + stop);
      return null;
    }
  }

  @Test
  void aRoundStoresOnlyTheClientsItChangedAndAResumeTakesEachFromItsLatestRoundAndShowsTheWholeRun()
      throws Exception {
    SimulationResult whole = stored("whole", settings(null), false, -1, Dashboard.disabled());
    assertThat(stored("sim", settings(null), false, 2, Dashboard.disabled())).isNull();
    Dashboard dashboard = Dashboard.disabled();
    SimulationResult resumed = stored("sim", settings(null), true, -1, dashboard);

    assertThat(resumed.run().finalModel().contentEquals(whole.run().finalModel())).isTrue();
    // the dashboard of the resumed run shows the rounds before the resume too
    RunView view = dashboard.state().view();
    assertThat(view.records()).extracting(RunView.Round::round).containsExactly(0, 1, 2, 3, 4);
    assertThat(view.resumedAfter()).isEqualTo(2);
    assertThat(view.records().get(1).accuracy()).isEqualTo(whole.records().get(1).accuracy());

    try (RunStore store = RunStore.open(dir.resolve("state"), null)) {
      List<RunStore.ClientStateSaved> rows = store.clientStateHistory("sim");
      assertThat(rows).extracting(RunStore.ClientStateSaved::clientId, RunStore.ClientStateSaved::round)
          .as("the same clients stored in the same rounds as the uninterrupted run")
          .isEqualTo(store.clientStateHistory("whole").stream().map(r -> org.assertj.core.groups.Tuple.tuple(
              r.clientId(), r.round())).toList());
      for (int r = 0; r <= 4; r++) {
        int round = r;
        long written = rows.stream().filter(x -> x.round() == round).count();
        assertThat(written).as("clients stored in round %d, of 6 with 3 training per round", r)
            .isLessThanOrEqualTo(r == 0 ? 0 : 3);
      }
      assertThat(rows.stream().map(RunStore.ClientStateSaved::clientId).distinct().count())
          .as("clients stored over the run, more than one round's").isGreaterThan(3);
      for (int r = 1; r <= 4; r++) {
        Map<String, ClientState> expected = store.clientStates("whole", r);
        Map<String, ClientState> actual = store.clientStates("sim", r);
        assertThat(actual.keySet()).as("clients with a state after round %d", r).isEqualTo(expected.keySet());
        for (String id : expected.keySet()) {
          assertThat(ClientStates.same(actual.get(id), expected.get(id))).as("client %s after round %d", id, r)
              .isTrue();
        }
      }
      // the states differ from round to round, so taking one from another round would show
      assertThat(ClientStates.same(store.clientStates("whole", 3).get(rows.get(rows.size() - 1).clientId()),
          store.clientStates("whole", 4).get(rows.get(rows.size() - 1).clientId()))).isFalse();
    }
  }

  @Test
  void aSimulationStoredWithItsClientsInTheStrategyStateStillResumes() throws Exception {
    SimulationResult whole = stored("whole", settings(null), false, -1, Dashboard.disabled());
    assertThat(stored("sim", settings(null), false, 2, Dashboard.disabled())).isNull();
    // the same run as a store of before client states were kept apart: inside the last checkpoint's strategy state
    try (RunStore store = RunStore.open(dir.resolve("state"), null)) {
      store.create("legacy", spec(settings(null)));
      Checkpoint at = store.lastCheckpoint("sim").orElseThrow();
      Map<String, ClientState> clients = store.clientStates("sim", 2);
      assertThat(clients).isNotEmpty();
      for (RoundRecord record : store.rounds("sim")) {
        store.saveRound("legacy", record, at.model(), record.round() < 2 ? StrategyState.empty()
            : ClientStates.merge(at.state(), clients), List.of());
      }
      assertThat(store.clientStateHistory("legacy")).isEmpty();
    }
    SimulationResult resumed = stored("legacy", settings(null), true, -1, Dashboard.disabled());
    assertThat(resumed.run().finalModel().contentEquals(whole.run().finalModel())).isTrue();
    try (RunStore store = RunStore.open(dir.resolve("state"), null)) {
      assertThat(store.clientStateHistory("legacy").stream().filter(r -> r.round() == 3).count())
          .as("round 3 stores every client that had a state, moving them out of the strategy state")
          .isGreaterThan(3);
      assertThat(store.lastCheckpoint("legacy").orElseThrow().state().scalars().values().keySet())
          .noneMatch(k -> k.startsWith(ClientStates.PREFIX));
    }
  }

  @Test
  void aResumeWithOtherSettingsOrOfAServerRunIsRefusedNamingTheDifference() throws Exception {
    SimulationSettings s = settings(null);
    try (RunStore opened = RunStore.open(dir.resolve("state"), null)) {
      opened.create("sim", spec(s));
      opened.create("srv", new RunSpec(s.strategy().describe(), "mlp", 4, 11));
    }
    SimulationSettings moreClients = SimulationSettings.builder().model("mlp").clients(8, 3).rounds(4).seed(11)
        .strategy(s.strategy()).partitioner(s.partitioner()).trainConfig(s.trainConfig()).build();
    assertThatThrownBy(() -> RunPersistence.open(store(), "sim", true, spec(moreClients), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("run sim was started with --clients 6, not 8");
    assertThatThrownBy(() -> RunPersistence.open(store(), "sim", true,
        StoredSimulation.spec(s, train.size(), 100, null), 0))
        .hasMessageContaining("--test-examples 300, not 100");
    assertThatThrownBy(() -> RunPersistence.open(store(), "srv", true, spec(s), 0))
        .hasMessageContaining("run srv was started with flotilla server, not flotilla simulate");
    assertThatThrownBy(() -> RunPersistence.open(store(), "sim", true, new RunSpec(s.strategy().describe(), "mlp", 4,
        11), 0)).hasMessageContaining("run sim was started with flotilla simulate, not flotilla server");
  }

  @Test
  void theCommandLineStoresASimulationThatRunsListsAndRefusesAMismatchedResume() throws Exception {
    Path state = dir.resolve("state");
    List<String> common = List.of("simulate", "--clients", "4", "--clients-per-round", "2", "--rounds", "2",
        "--model", "mlp", "--seed", "5", "--train-examples", "400", "--test-examples", "100", "--progress", "never",
        "--workers", "1", "--state-dir", state.toString(), "--run-id", "cli-sim");
    String[] done = SimulateCommandTest.capture(common.toArray(String[]::new));
    assertThat(done[0]).as(done[1]).isEqualTo("0");
    assertThat(done[1]).contains("run cli-sim is stored in");

    String[] runs = SimulateCommandTest.capture("runs", "--state-dir", state.toString());
    assertThat(runs[1]).containsPattern("cli-sim\\s+finished\\s+2/2\\s+mlp\\s+simulation");

    String[] again = SimulateCommandTest.capture(concat(common, "--resume"));
    assertThat(again[0]).isNotEqualTo("0");
    assertThat(again[1]).contains("run cli-sim is finished already").doesNotContain("\tat ");

    try (RunStore opened = RunStore.open(state, null)) {
      opened.create("srv", new RunSpec("fedavg", "mlp", 2, 5));
    }
    List<String> other = new java.util.ArrayList<>(common.subList(0, common.size() - 2));
    other.addAll(List.of("--run-id", "srv", "--resume"));
    String[] server = SimulateCommandTest.capture(other.toArray(String[]::new));
    assertThat(server[0]).isNotEqualTo("0");
    assertThat(server[1]).contains("run srv was started with flotilla server, not flotilla simulate")
        .doesNotContain("\tat ");

    List<String> unnamed = common.subList(0, common.size() - 2);
    String[] async = SimulateCommandTest.capture(concat(unnamed, "--workflow", "async", "--buffer", "2",
        "--concurrency", "3", "--run-id", "cli-async"));
    assertThat(async[0]).as(async[1]).isEqualTo("0");
    assertThat(SimulateCommandTest.capture("runs", "--state-dir", state.toString())[1])
        .containsPattern("cli-async\\s+finished\\s+2/2\\s+mlp\\s+simulation");

    try (RunStore opened = RunStore.open(state, null)) {
      opened.create("pending", StoredSimulation.spec(SimulationSettings.builder().model("mlp").clients(4, 2).rounds(2)
          .seed(5).trainConfig(Config.of("lr", 0.01, "momentum", 0.0)).build(), 400, 100, null));
    }
    String[] asyncOfSync = SimulateCommandTest.capture(concat(unnamed, "--workflow", "async", "--buffer", "2",
        "--run-id", "pending", "--resume"));
    assertThat(asyncOfSync[0]).isNotEqualTo("0");
    assertThat(asyncOfSync[1]).contains("run pending was started with the synchronous workflow, not --workflow async")
        .doesNotContain("\tat ");
  }

  private static String[] concat(List<String> common, String... more) {
    return java.util.stream.Stream.concat(common.stream(), java.util.Arrays.stream(more)).toArray(String[]::new);
  }
}
