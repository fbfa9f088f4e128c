package dev.flotilla.cli;

import dev.flotilla.client.ClientSettings;
import dev.flotilla.client.FlotillaClient;
import dev.flotilla.core.client.Context;
import dev.flotilla.core.client.TrainEvaluateApp;
import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.server.FlotillaServer;
import dev.flotilla.server.ServerSettings;
import dev.flotilla.workflow.RunSummary;
import dev.flotilla.workflow.SyncSettings;
import dev.flotilla.workflow.SyncWorkflow;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code flotilla warm-up} (hidden): a short federated run over 127.0.0.1 in this process, one server and one
 * client, so that the JVM running it loads the classes a server and a client need. The launcher runs it once per
 * build with {@code -XX:ArchiveClassesAtExit} to make the class-data archive that every later flotilla process maps
 * instead of parsing and verifying those classes again (README, "Deploying by hand", start-up).
 */
@Command(name = "warm-up", hidden = true, mixinStandardHelpOptions = true,
    description = "Run a short federated exchange over 127.0.0.1 (a server and a client in this process) so that"
        + " the JVM loads the classes of both; the launcher archives them for faster start-ups.")
final class WarmUpCommand implements Callable<Integer> {
  /** Parameters of the warm-up model: large enough for its transfers to be chunked and their uploads granted. */
  static final int PARAMETERS = 150_000;

  @Option(names = "--rounds", defaultValue = "2", description = "Rounds to run (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (rounds < 1) {
      throw new IllegalArgumentException("--rounds must be at least 1, got " + rounds);
    }
    ModelWeights initial = ModelWeights.of(List.of(Tensor.of("w", new int[] {PARAMETERS}, new float[PARAMETERS]),
        Tensor.of("b", new int[] {10}, new float[10])));
    ExecutorService clientThread = Executors.newSingleThreadExecutor();
    try (FlotillaServer server = FlotillaServer.start(ServerSettings.builder().host("127.0.0.1").port(0).build())) {
      ClientSettings settings = ClientSettings.builder("127.0.0.1:" + server.port(), "warm-up").build();
      Future<?> client = clientThread.submit(() -> {
        try (FlotillaClient c = new FlotillaClient(settings, new PlusOne())) {
          c.run();
        }
        return null;
      });
      SyncSettings sync = SyncSettings.builder().rounds(rounds).minClients(1).minFitClients(1)
          .roundTimeout(Duration.ofMinutes(1)).seed(0).evaluateInitial(false).build();
      RunSummary summary = new SyncWorkflow(server.registry(), sync).run(new FedAvg(), initial, (record, model) -> { });
      client.get(1, TimeUnit.MINUTES);
      float got = summary.finalModel().get("w").toArray()[0];
      if (got != rounds) {
        throw new IllegalStateException("the warm-up run ended with " + got + " instead of " + rounds);
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf("warm-up: %d rounds between a server and a client over 127.0.0.1:%d%n", rounds, server.port());
      out.flush();
      return 0;
    } finally {
      clientThread.shutdownNow();
    }
  }

  /** Returns the model it receives plus one on every value. */
  private static final class PlusOne implements TrainEvaluateApp {
    @Override
    public TrainResult train(TrainInstructions instructions, Context context) {
      List<Tensor> out = new ArrayList<>();
      for (Tensor t : instructions.model().tensors()) {
        float[] v = t.toArray();
        for (int i = 0; i < v.length; i++) {
          v[i] += 1;
        }
        out.add(Tensor.wrap(t.spec(), v));
      }
      return new TrainResult(ModelWeights.of(out), 1, Metrics.empty());
    }

    @Override
    public EvaluateResult evaluate(EvaluateInstructions instructions, Context context) {
      return new EvaluateResult(0, 1, Metrics.empty());
    }
  }
}
