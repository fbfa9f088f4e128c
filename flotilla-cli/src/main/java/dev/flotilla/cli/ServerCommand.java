package dev.flotilla.cli;

import dev.flotilla.core.strategy.Sampling;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.server.FlotillaServer;
import dev.flotilla.server.ServerSettings;
import dev.flotilla.workflow.SyncSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code flotilla server}: the coordinator of a deployed run. Exits 0 when the run is over. */
@Command(name = "server", mixinStandardHelpOptions = true,
    description = "Coordinate a federated run: wait for clients, train, aggregate (FedAvg or --strategy), evaluate,"
        + " repeat.")
final class ServerCommand implements Callable<Integer> {
  @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "8080", description = "Port to listen on (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--rounds", defaultValue = "10", description = "Training rounds (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--min-clients", defaultValue = "2",
      description = "Clients that must be connected before a round starts (default: ${DEFAULT-VALUE}).")
  int minClients;

  @Option(names = "--min-fit-clients", description = "Results a round needs to update the model (default: 1).",
      defaultValue = "1")
  int minFitClients;

  @Option(names = "--fraction-fit", defaultValue = "1.0",
      description = "Share of connected clients sampled to train each round (default: ${DEFAULT-VALUE}).")
  double fractionFit;

  @Option(names = "--fraction-evaluate",
      description = "Share of clients for federated evaluation each round (default: 0 with --test-data, else 1).")
  Double fractionEvaluate;

  @Option(names = "--round-timeout", defaultValue = "120s", converter = DurationConverter.class,
      description = "How long a round waits for results, e.g. 120s or 5m (default: ${DEFAULT-VALUE}).")
  Duration roundTimeout;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of initial weights and sampling (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--test-data", description = "Folder of the Fashion-MNIST IDX files for central evaluation.")
  Path testData;

  @Option(names = "--out", description = "Folder for metrics.jsonl and model.safetensors.")
  Path out;

  @Mixin
  TrainingOptions training;

  @Mixin
  StrategyOptionsMixin strategy;

  @Mixin
  CompressionOptionsMixin compression;

  @Override
  public Integer call() throws Exception {
    SyncSettings sync = SyncSettings.builder().rounds(rounds).minClients(minClients).minFitClients(minFitClients)
        .roundTimeout(roundTimeout).seed(seed).build();
    double fracEval = fractionEvaluate != null ? fractionEvaluate : testData == null ? 1.0 : 0.0;
    StrategyChoice choice = strategy.choice(training.model).withCompression(compression.choice());
    choice.validate(training.model, new Sampling(fractionFit, minFitClients).size(minClients));
    ModelWeights initial = InitialModel.load(training.model, seed, training.initialModel);
    try (FlotillaServer server = FlotillaServer.start(ServerSettings.builder().host(host).port(port).build())) {
      ServerRun.run(server, sync, choice, training.trainConfig(0.01, 0), initial, fractionFit, minFitClients,
          fracEval, testData, out);
    }
    return 0;
  }
}
