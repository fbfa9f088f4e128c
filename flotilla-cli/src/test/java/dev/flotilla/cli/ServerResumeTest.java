package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.cli.ServerProcesses.Server;
import dev.flotilla.core.client.Context;
import dev.flotilla.core.client.TrainEvaluateApp;
import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.store.PostgresForTests;
import dev.flotilla.store.RunStatus;
import dev.flotilla.store.RunStore;
import dev.flotilla.store.StoredRun;
import dev.flotilla.workflow.io.MetricsFile;
import dev.flotilla.workflow.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a server process in the middle of a round, then the same command with {@code --resume}: the run
 * goes on from the last completed round, the clients (deterministic, in this JVM) reconnect by themselves, no round is
 * lost or repeated, and the final model, metrics and privacy spent equal those of a run that was never interrupted.
 * FedAdam, so the optimiser's moments must be restored too. (A deployed server's privacy noise is secure, so not
 * reproducible: the accountant's resume is tested with seeded noise in {@code SyncWorkflowResumeTest}.)
 * Once on the embedded store, once on PostgreSQL.
 */
class ServerResumeTest {
  private static final int ROUNDS = 5;
  /** The round during which the server is killed: rounds 0 to 2 are complete then. */
  private static final int KILL_ROUND = 3;

  @TempDir
  Path dir;

  private final List<Process> servers = new ArrayList<>();
  private final ExecutorService clientThreads = Executors.newCachedThreadPool();

  @AfterEach
  void cleanUp() {
    servers.forEach(Process::destroyForcibly);
    clientThreads.shutdownNow();
  }

  @Test
  void killedServerResumesOnTheEmbeddedStore() throws Exception {
    killAndResume(List.of("--state-dir", dir.resolve("state").toString()), null);
  }

  @Test
  void killedServerResumesOnPostgres() throws Exception {
    PostgresForTests.assumeAvailable();
    killAndResume(List.of("--state-dir", dir.resolve("state").toString(), "--db", PostgresForTests.url()),
        PostgresForTests.url());
  }

  private void killAndResume(List<String> storeOptions, String dbUrl) throws Exception {
    String runId = "resume-" + UUID.randomUUID().toString().substring(0, 8);

    // the reference: the same run, never interrupted, without a store
    int port = ServerProcesses.freePort();
    Server reference = startServer(port, dir.resolve("reference"), List.of(), "reference");
    List<CompletableFuture<Void>> clients = startClients(port, null);
    assertThat(reference.process().waitFor(120, TimeUnit.SECONDS)).as("reference run ends").isTrue();
    assertThat(reference.process().exitValue()).isZero();
    CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    // the stored run, killed while its clients train round 3
    port = ServerProcesses.freePort();
    List<String> stored = new ArrayList<>(storeOptions);
    stored.addAll(List.of("--run-id", runId));
    Gate gate = new Gate();
    clients = startClients(port, gate);
    Server first = startServer(port, dir.resolve("out"), stored, "first");
    first.roundLine(KILL_ROUND - 1).get(120, TimeUnit.SECONDS); // printed after the round is stored
    assertThat(gate.reached.await(60, TimeUnit.SECONDS)).as("both clients are training round 3").isTrue();
    first.process().destroyForcibly(); // SIGKILL: no shutdown hook, no clean close of the database
    assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    gate.release.countDown(); // their round-3 results go nowhere: the connection is gone

    // the same command with --resume; the same clients reconnect by themselves
    List<String> resumed = new ArrayList<>(stored);
    resumed.add("--resume");
    Server second = startServer(port, dir.resolve("out"), resumed, "second");
    assertThat(second.process().waitFor(120, TimeUnit.SECONDS)).as("resumed run ends").isTrue();
    assertThat(second.process().exitValue()).as("resumed server's exit code; see %s", second.log()).isZero();
    CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    assertThat(first.rounds()).containsExactly(0, 1, 2);
    assertThat(second.rounds()).as("no completed round is repeated").containsExactly(3, 4, 5);
    assertThat(Files.readString(second.log())).contains("resuming run " + runId + " after round 2 of 5");

    List<MetricsFile.Line> expectedMetrics = MetricsFile.read(dir.resolve("reference").resolve("metrics.jsonl"));
    List<MetricsFile.Line> actualMetrics = MetricsFile.read(dir.resolve("out").resolve("metrics.jsonl"));
    assertThat(actualMetrics).extracting(MetricsFile.Line::round).containsExactly(0, 1, 2, 3, 4, 5);
    for (int r = 0; r <= ROUNDS; r++) {
      assertThat(withoutTimes(actualMetrics.get(r).values())).as("round %d's metrics", r)
          .isEqualTo(withoutTimes(expectedMetrics.get(r).values()));
    }
    ModelWeights expected = SafeTensors.read(dir.resolve("reference").resolve("model.safetensors"));
    ModelWeights actual = SafeTensors.read(dir.resolve("out").resolve("model.safetensors"));
    assertThat(actual.contentEquals(expected)).as("final model equals the uninterrupted run's").isTrue();
    assertThat(actual.contentEquals(dev.flotilla.djl.model.Models.initialWeights("logreg", 7))).isFalse();
    assertThat(actualMetrics.get(ROUNDS).get("server_step")).as("the optimiser's step count").hasValue(ROUNDS);

    // the store: finished, every round, both clients, and an export of it equal to the run's output
    try (RunStore store = RunStore.open(dir.resolve("state"), dbUrl)) {
      StoredRun run = store.find(runId).orElseThrow();
      assertThat(run.status()).isEqualTo(RunStatus.FINISHED);
      assertThat(run.lastRound()).hasValue(ROUNDS);
      assertThat(store.rounds(runId)).hasSize(ROUNDS + 1);
      assertThat(store.clients(runId)).extracting(RunStore.ClientSeen::clientId).containsExactly("site-0", "site-1");
    }
    List<String> export = new ArrayList<>(List.of("export", runId, "--out", dir.resolve("export").toString()));
    export.addAll(storeOptions);
    assertThat(Main.run(export.toArray(String[]::new))).isZero();
    assertThat(SafeTensors.read(dir.resolve("export").resolve("model.safetensors")).contentEquals(expected)).isTrue();
    assertThat(Files.readAllLines(dir.resolve("export").resolve("metrics.jsonl")))
        .isEqualTo(Files.readAllLines(dir.resolve("out").resolve("metrics.jsonl")));
    assertThat(dir.resolve("export").resolve("accuracy.png")).isNotEmptyFile();
  }

  private static Map<String, Double> withoutTimes(Map<String, Double> values) {
    Map<String, Double> out = new LinkedHashMap<>(values);
    out.remove("seconds");
    out.remove("bytes_up");
    out.remove("bytes_down");
    return out;
  }

  /** Holds the clients in round {@link #KILL_ROUND}'s training until the test lets them go. */
  private static final class Gate {
    final CountDownLatch reached = new CountDownLatch(2);
    final CountDownLatch release = new CountDownLatch(1);

    void pass(long round) {
      if (round == KILL_ROUND && release.getCount() > 0) {
        reached.countDown();
        try {
          release.await(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /**
   * A client whose update depends only on the model it gets and its index (so a round repeated from the same model
   * gives the same update), and whose evaluation depends only on the model. Both clients report the same number of
   * examples: the server folds results in arrival order, and with equal weights the sum of two is the same in
   * either order, bit for bit.
   */
  private record DeterministicApp(int index, Gate gate) implements TrainEvaluateApp {
    @Override
    public TrainResult train(TrainInstructions instructions, Context context) {
      if (gate != null) {
        gate.pass(instructions.config().getLong("round", -1));
      }
      return new TrainResult(ServerProcesses.deterministicUpdate(instructions.model(), index), 100, Metrics.empty());
    }

    @Override
    public EvaluateResult evaluate(EvaluateInstructions instructions, Context context) {
      double sum = 0;
      for (Tensor t : instructions.model().tensors()) {
        for (float v : t.toArray()) {
          sum += Math.abs(v);
        }
      }
      return new EvaluateResult(sum, 50, Metrics.of("accuracy", 1 / (1 + sum)));
    }
  }

  private List<CompletableFuture<Void>> startClients(int port, Gate gate) {
    return ServerProcesses.startClients(port, 2, i -> new DeterministicApp(i, gate), clientThreads);
  }

  private Server startServer(int port, Path out, List<String> extra, String name) throws Exception {
    List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", Integer.toString(port),
        "--rounds", Integer.toString(ROUNDS), "--min-clients", "2", "--min-fit-clients", "2",
        "--model", "logreg", "--strategy", "fedadam",
        "--round-timeout", "60s", "--seed", "7", "--out", out.toString()));
    args.addAll(extra);
    Server server = ServerProcesses.start(args, ROUNDS, dir.resolve(name + ".log"), name);
    servers.add(server.process());
    return server;
  }
}
