package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.client.ClientState;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.partition.Partitioners;
import dev.flotilla.core.privacy.LocalDpMod;
import dev.flotilla.dashboard.Dashboard;
import dev.flotilla.djl.data.FashionMnist;
import dev.flotilla.djl.data.LabelledImages;
import dev.flotilla.sim.ClientStates;
import dev.flotilla.store.Checkpoint;
import dev.flotilla.store.RunStatus;
import dev.flotilla.store.RunStore;
import dev.flotilla.store.StoredRun;
import dev.flotilla.workflow.RoundRecord;
import dev.flotilla.workflow.Staleness;
import dev.flotilla.workflow.io.MetricsFile;
import dev.flotilla.workflow.io.MetricsLog;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Asynchronous simulations stored after every model version and resumed after the last one: the resumed run makes
 * the remaining versions, the history is complete, and every virtual client's state (here its local DP
 * participations) holds exactly the tasks whose results the workflow had taken, across the interruption; a resume
 * with other settings is refused naming the difference.
 */
class StoredAsyncSimulationTest {
  private static LabelledImages train;
  private static LabelledImages test;

  @TempDir
  Path dir;

  @BeforeAll
  static void loadData() {
    train = FashionMnist.train().first(600);
    test = FashionMnist.test().first(200);
  }

  /** 6 clients, 3 training at once, 2 results per version, 5 versions of the MLP; local DP counts participations. */
  private static SimulationSettings settings(Path out, AsyncChoice async) {
    PrivacyChoice localDp = PrivacyChoice.plan(PrivacyChoice.Mode.LOCAL, 0.01, 5.0, null, 1e-5, null, 1.0, 5,
        OptionalLong.of(4));
    return SimulationSettings.builder().model("mlp").clients(6, 2).rounds(5).seed(4)
        .strategy(StrategyChoice.fedAvg().withPrivacy(localDp))
        .partitioner(Partitioners.parse("iid"))
        .trainConfig(Config.of("lr", 0.05, "batch_size", 32, "local_epochs", 1))
        .async(async).clientSpeed("lognormal:0.5").workers(2).out(out).build();
  }

  private static AsyncChoice async(int buffer, String staleness) {
    return new AsyncChoice(3, buffer, Staleness.parse(staleness), 10);
  }

  private StoreOptionsMixin store() {
    StoreOptionsMixin options = new StoreOptionsMixin();
    options.stateDir = dir.resolve("state");
    return options;
  }


  /** Tasks whose outcome the workflow took up to version {@code last}: applied or refused as stale (none failed). */
  private static long tasksTaken(List<RoundRecord> records, int last) {
    return records.stream().filter(r -> r.round() <= last).mapToLong(r -> {
      assertThat(r.clientsFailed()).as("failed tasks of version %d", r.round()).isZero();
      return r.clientsOk() + (long) r.metrics().get("stale_refused").orElse(0);
    }).sum();
  }

  /** The local DP participations of every client as of the run's last checkpoint, summed. */
  private static long participations(RunStore store, String runId) {
    Checkpoint at = store.lastCheckpoint(runId).orElseThrow();
    assertThat(ClientStates.split(at.state()).clients()).as("client states in the strategy state").isEmpty();
    Map<String, ClientState> clients = store.clientStates(runId, at.round()); // stored apart, each as of its round
    assertThat(clients).isNotEmpty();
    return clients.values().stream().mapToLong(s -> s.config(LocalDpMod.STATE_KEY).orElseThrow()
        .getLong("participations", 0)).sum();
  }

  @Test
  void anInterruptedAsynchronousSimulationGoesOnAfterItsLastStoredVersionWithItsClientsStates() throws Exception {
    SimulationSettings first = settings(null, async(2, "polynomial:0.5"));
    try (RunPersistence persistence = RunPersistence.open(store(), "async", false,
        StoredSimulation.spec(first, train.size(), test.size(), null), 0)) {
      assertThatThrownBy(() -> Simulation.run(first, train, test, StoppingProgress.after(2), Dashboard.disabled(), null,
          persistence)).hasMessageContaining("interrupted after round 2");
    }
    List<RoundRecord> before;
    try (RunStore opened = RunStore.open(dir.resolve("state"), null)) {
      StoredRun run = opened.find("async").orElseThrow();
      assertThat(run.status()).isEqualTo(RunStatus.FAILED);
      assertThat(run.lastRound()).hasValue(2);
      assertThat(run.spec().workflow()).isEqualTo(
          "async --buffer 2 --concurrency 3 --staleness polynomial:0.5 --max-staleness 10");
      before = opened.rounds("async");
      // clients still training at version 2 are stored as they were before that task, which is lost on a resume
      assertThat(participations(opened, "async")).isEqualTo(tasksTaken(before, 2));
    }

    Path out = dir.resolve("resumed");
    // the same settings, written otherwise: compared by value
    SimulationSettings second = settings(out, async(2, "polynomial:0.50"));
    SimulationResult resumed;
    try (RunPersistence persistence = RunPersistence.open(store(), null, true,
        StoredSimulation.spec(second, train.size(), test.size(), null), 0)) {
      resumed = Simulation.run(second, train, test, StoppingProgress.never(), Dashboard.disabled(), null, persistence);
    }

    assertThat(resumed.records()).extracting(RoundRecord::round).containsExactly(0, 1, 2, 3, 4, 5);
    assertThat(resumed.records().subList(0, 3)).isEqualTo(before);
    double stoppedAt = before.get(2).metrics().get("sim_seconds").orElseThrow();
    // simulated time goes on from the last stored version, it does not restart
    assertThat(resumed.records().get(3).metrics().get("sim_seconds").orElseThrow()).isGreaterThan(stoppedAt);
    assertThat(resumed.records().get(5).clientsOk()).isEqualTo(2);
    assertThat(MetricsFile.read(out.resolve(MetricsLog.FILE_NAME))).extracting(MetricsFile.Line::round)
        .containsExactly(0, 1, 2, 3, 4, 5);
    try (RunStore opened = RunStore.open(dir.resolve("state"), null)) {
      assertThat(opened.find("async").orElseThrow().status()).isEqualTo(RunStatus.FINISHED);
      assertThat(opened.rounds("async")).extracting(RoundRecord::round).containsExactly(0, 1, 2, 3, 4, 5);
      // the clients' participations from before the interruption were given back and went on counting
      assertThat(participations(opened, "async")).isEqualTo(tasksTaken(resumed.records(), 5));
    }
  }

  @Test
  void aResumeWithOtherAsynchronousSettingsOrTheSynchronousWorkflowIsRefusedNamingTheDifference() throws Exception {
    SimulationSettings s = settings(null, async(2, "polynomial:0.5"));
    try (RunStore opened = RunStore.open(dir.resolve("state"), null)) {
      opened.create("async", StoredSimulation.spec(s, train.size(), test.size(), null));
    }
    assertThatThrownBy(() -> RunPersistence.open(store(), "async", true,
        StoredSimulation.spec(settings(null, async(3, "polynomial:0.5")), train.size(), test.size(), null), 0))
        .hasMessageContaining("run async was started with --buffer 2, not --buffer 3");
    assertThatThrownBy(() -> RunPersistence.open(store(), "async", true,
        StoredSimulation.spec(settings(null, async(2, "constant")), train.size(), test.size(), null), 0))
        .hasMessageContaining("--staleness polynomial:0.5, not --staleness constant");
    assertThatThrownBy(() -> RunPersistence.open(store(), "async", true,
        StoredSimulation.spec(settings(null, null), train.size(), test.size(), null), 0))
        .hasMessageContaining("run async was started with --workflow async --buffer 2 --concurrency 3"
            + " --staleness polynomial:0.5 --max-staleness 10, not the synchronous workflow");
  }
}
