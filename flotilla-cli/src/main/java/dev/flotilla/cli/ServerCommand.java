package dev.flotilla.cli;

import dev.flotilla.core.strategy.Sampling;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.dashboard.Dashboard;
import dev.flotilla.server.FlotillaServer;
import dev.flotilla.server.ServerSettings;
import dev.flotilla.store.RunSpec;
import dev.flotilla.transport.Protocol;
import dev.flotilla.workflow.SyncSettings;
import dev.flotilla.workflow.TrainStage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code flotilla server}: the coordinator of a deployed run. Exits 0 when the run is over. */
@Command(name = "server", mixinStandardHelpOptions = true,
    description = "Coordinate a federated run: wait for clients, train, aggregate (FedAvg or --strategy), evaluate,"
        + " repeat.")
final class ServerCommand implements Callable<Integer> {
  @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to listen on (default: ${DEFAULT-VALUE});"
      + " without TLS, only a loopback address such as 127.0.0.1, unless --insecure.")
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

  @Option(names = "--max-concurrent-fit", paramLabel = "N",
      description = "Clients that may train at once; the others get their request as soon as one starts sending its"
          + " result (default:"
          + " all at once). When the clients run on this machine, the number of cores is a good choice: they then"
          + " train one group after another instead of time-slicing the cores.")
  Integer maxConcurrentFit;

  @Option(names = "--flow-control-window", paramLabel = "SIZE", converter = ByteSizeConverter.class,
      description = "HTTP/2 flow-control window of each client connection, e.g. 256k: how much of its upload a client"
          + " may send before the server reads it; a smaller window holds less in the server's buffers, at some cost"
          + " in upload speed (default: 1m).")
  Long flowControlWindow;

  @Option(names = "--upload-slots", paramLabel = "N",
      description = "Uploads the server assembles at once: memory for uploads is about N models, further clients"
          + " wait their turn (default: 2).")
  Integer uploadSlots;

  @Option(names = "--lend-uploads",
      description = "Fold FedAvg's uploads from the transport's buffers instead of copying them into arrays: a faster"
          + " aggregation step, but each upload holds the JVM's direct memory (-XX:MaxDirectMemorySize, by default"
          + " the heap's maximum) until it is folded, which raises peak memory.")
  boolean lendUploads;

  @Option(names = "--upload-lookahead", paramLabel = "N",
      description = "Uploads waiting for a slot that may already send up to a flow-control window each, overlapping"
          + " the server's other work; the others send only their header until their turn (default: "
          + ServerSettings.DEFAULT_UPLOAD_LOOKAHEAD + ").")
  Integer uploadLookahead;

  @Option(names = "--seed", defaultValue = "42",
      description = "Seed of initial weights and sampling (default: ${DEFAULT-VALUE}).")
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
  ServerSecurityOptions security;

  @Mixin
  PrivacyOptionsMixin privacy;

  @Mixin
  CompressionOptionsMixin compression;

  @Mixin
  StoredRunOptionsMixin stored;

  @Mixin
  DashboardOptionsMixin dashboard;

  @Mixin
  AsyncOptionsMixin async;

  @Mixin
  SecureAggregationOptionsMixin secureAggregation;

  /** How the server listens and moves data, from the options. */
  ServerSettings settings() {
    ServerSettings.Builder b = ServerSettings.builder().host(host).port(port).security(security.security())
        .limits(security.limits());
    if (flowControlWindow != null) {
      b.flowControlWindowBytes(Protocol.checkFlowControlWindow(flowControlWindow));
    }
    if (uploadLookahead != null) {
      b.uploadLookahead(uploadLookahead);
    }
    b.lendUploads(lendUploads);
    if (uploadSlots != null) {
      b.uploadSlots(uploadSlots);
    }
    return b.build();
  }

  @Override
  public Integer call() throws Exception {
    ServerSettings settings = settings();
    settings.security().checkListening(host); // before the model is loaded
    SyncSettings.Builder syncBuilder = SyncSettings.builder().rounds(rounds).minClients(minClients)
        .minFitClients(minFitClients).roundTimeout(roundTimeout).seed(seed);
    if (maxConcurrentFit != null) {
      syncBuilder.maxConcurrentFit(maxConcurrentFit);
    }
    SyncSettings sync = syncBuilder.build();
    double fracEval = fractionEvaluate != null ? fractionEvaluate : testData == null ? 1.0 : 0.0;
    int perRound = new Sampling(fractionFit, minFitClients).size(minClients);
    // privacy is planned for min-clients connected; the accountant then counts each round's actual sampling rate
    StrategyChoice choice = strategy.choice(training.model).withPrivacy(privacy.choice(
        perRound / (double) Math.max(1, minClients), rounds, OptionalLong.empty()).orElse(null))
        .withCompression(compression.choice());
    choice.validate(training.model, perRound);
    TrainStage secure = secureAggregation.stage(choice, perRound);
    ServerRun.checkWorkflow(async.choice(), secure); // before the run is stored
    ModelWeights initial = InitialModel.load(training.model, seed, training.initialModel);
    ServerRun.checkAsyncStrategy(async.choice(), choice, initial); // before the run is stored
    try (RunPersistence persistence = stored.open(() -> new RunSpec(choice.describe(), training.model, rounds, seed,
            async.choice() == null ? RunSpec.SYNC : async.choice().storedSpec()));
        FlotillaServer server = FlotillaServer.start(settings); Dashboard board = dashboard.start()) {
      ServerRun.run(server, sync, async.choice(), choice, training.trainConfig(0.01, 0), initial, fractionFit,
          minFitClients, fracEval, testData, out, persistence, board, secure);
      dashboard.linger(board);
    }
    return 0;
  }
}
