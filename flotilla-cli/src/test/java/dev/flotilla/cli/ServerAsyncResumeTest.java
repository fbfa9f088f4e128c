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
import dev.flotilla.store.RunStatus;
import dev.flotilla.store.RunStore;
import dev.flotilla.store.StoredRun;
import dev.flotilla.workflow.io.MetricsFile;
import dev.flotilla.workflow.io.SafeTensors;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of an asynchronous ({@code --workflow async}) server with tasks in flight, then the same command
 * with {@code --resume}: the run goes on after the last stored version with its model and FedAdam's state, the tasks
 * in flight at the kill are lost, the clients reconnect by themselves and the run makes every version once.
 */
class ServerAsyncResumeTest {
  private static final int VERSIONS = 5;

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
  void killedAsynchronousServerResumesAfterItsLastVersion() throws Exception {
    String runId = "async-resume";
    Path state = dir.resolve("state");
    Path out = dir.resolve("out");
    int port = ServerProcesses.freePort();
    Gate gate = new Gate();
    List<CompletableFuture<Void>> clients = startClients(port, gate);
    List<String> stored = List.of("--state-dir", state.toString(), "--run-id", runId);
    Server first = startServer(port, out, stored, "first");
    // buffer 1, two clients: training tasks 1 and 2 make versions 1 and 2, tasks 3 and 4 are held
    first.roundLine(2).get(120, TimeUnit.SECONDS);
    assertThat(gate.reached.await(60, TimeUnit.SECONDS)).as("both clients hold a task, the second sent after version 2 was stored").isTrue();
    first.process().destroyForcibly(); // SIGKILL: no shutdown hook, no clean close of the database
    assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    // the model of version 2, written to --out before its tasks went out
    ModelWeights atKill = SafeTensors.read(out.resolve("model.safetensors"));
    gate.release.countDown(); // the results of the tasks in flight go nowhere: the connection is gone

    List<String> resumed = new ArrayList<>(stored);
    resumed.add("--resume");
    Server second = startServer(port, out, resumed, "second");
    assertThat(second.process().waitFor(120, TimeUnit.SECONDS)).as("resumed run ends").isTrue();
    assertThat(second.process().exitValue()).as("resumed server's exit code; see %s", second.log()).isZero();
    CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    assertThat(first.rounds()).containsExactly(0, 1, 2);
    assertThat(second.rounds()).as("versions go on, none repeated").containsExactly(3, 4, 5);
    assertThat(Files.readString(second.log())).contains("resuming run " + runId + " after version 2 of 5");
    assertThat(gate.firstAfterRelease.get(30, TimeUnit.SECONDS).contentEquals(atKill))
        .as("the resumed server's first task carries the model of version 2").isTrue();

    List<MetricsFile.Line> metrics = MetricsFile.read(out.resolve("metrics.jsonl"));
    assertThat(metrics).extracting(MetricsFile.Line::round).containsExactly(0, 1, 2, 3, 4, 5);
    assertThat(metrics.get(VERSIONS).get("server_step")).as("FedAdam's step went on from version 2's")
        .hasValue(VERSIONS);
    assertThat(metrics.get(VERSIONS).get("staleness_max")).isPresent();

    try (RunStore store = RunStore.open(state, null)) {
      StoredRun run = store.find(runId).orElseThrow();
      assertThat(run.status()).isEqualTo(RunStatus.FINISHED);
      assertThat(run.lastRound()).hasValue(VERSIONS);
      assertThat(run.spec().workflow()).isEqualTo(
          "async --buffer 1 --concurrency 2 --staleness polynomial:0.5 --max-staleness 10");
      assertThat(store.rounds(runId)).hasSize(VERSIONS + 1);
    }
    String listed = captured("runs", "--state-dir", state.toString());
    assertThat(listed).containsPattern(runId + "\\s+finished\\s+5/5\\s+logreg.*fedadam.*; async --buffer 1");
    assertThat(Main.run("export", runId, "--state-dir", state.toString(), "--out", dir.resolve("export").toString()))
        .isZero();
    assertThat(Files.readAllLines(dir.resolve("export").resolve("metrics.jsonl")))
        .isEqualTo(Files.readAllLines(out.resolve("metrics.jsonl")));
    assertThat(SafeTensors.read(dir.resolve("export").resolve("model.safetensors"))
        .contentEquals(SafeTensors.read(out.resolve("model.safetensors")))).isTrue();
  }

  private static String captured(String... args) {
    PrintStream was = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.run(args)).isZero();
    } finally {
      System.setOut(was);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** Holds training tasks 3 and 4 until the test lets them go; keeps the model of the first task after that. */
  private static final class Gate {
    final AtomicInteger tasks = new AtomicInteger();
    final CountDownLatch reached = new CountDownLatch(2);
    final CountDownLatch release = new CountDownLatch(1);
    final CompletableFuture<ModelWeights> firstAfterRelease = new CompletableFuture<>();

    void pass(ModelWeights model) {
      int n = tasks.incrementAndGet();
      if (n == 3 || n == 4) {
        reached.countDown();
        try {
          release.await(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      } else if (n > 4) {
        firstAfterRelease.complete(model);
      }
    }
  }

  /** A client whose update depends only on the model it gets and its index. */
  private record App(int index, Gate gate) implements TrainEvaluateApp {
    @Override
    public TrainResult train(TrainInstructions instructions, Context context) {
      gate.pass(instructions.model());
      return new TrainResult(ServerProcesses.deterministicUpdate(instructions.model(), index), 100, Metrics.empty());
    }

    @Override
    public EvaluateResult evaluate(EvaluateInstructions instructions, Context context) {
      return new EvaluateResult(1, 50, Metrics.of("accuracy", 0.5));
    }
  }

  private List<CompletableFuture<Void>> startClients(int port, Gate gate) {
    return ServerProcesses.startClients(port, 2, i -> new App(i, gate), clientThreads);
  }

  private Server startServer(int port, Path out, List<String> extra, String name) throws Exception {
    List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", Integer.toString(port),
        "--rounds", Integer.toString(VERSIONS), "--min-clients", "2", "--model", "logreg", "--strategy", "fedadam",
        "--workflow", "async", "--buffer", "1", "--concurrency", "2", "--fraction-evaluate", "0",
        "--round-timeout", "60s", "--seed", "7", "--out", out.toString()));
    args.addAll(extra);
    Server server = ServerProcesses.start(args, VERSIONS, dir.resolve(name + ".log"), name);
    servers.add(server.process());
    return server;
  }
}
