package dev.flotilla.cli;

import dev.flotilla.core.attack.ByzantineAttack;
import dev.flotilla.core.partition.Partitioners;
import dev.flotilla.dashboard.Dashboard;
import dev.flotilla.djl.data.FashionMnist;
import dev.flotilla.djl.data.LabelledImages;
import dev.flotilla.sim.ConsoleProgress;
import dev.flotilla.workflow.TrainStage;
import dev.flotilla.workflow.io.MetricsLog;
import dev.flotilla.workflow.io.RunOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code flotilla simulate}: a whole federation in this JVM. Partitions Fashion-MNIST over virtual clients and runs
 * the server's round loop and strategy and the clients' training code over them, without sockets (see
 * {@link Simulation}). With {@code --dp}, the noise is drawn reproducibly from the run's seed, so that a simulation
 * can be repeated; a deployment ({@code server}, {@code client --mod local-dp:…}) draws it from SecureRandom.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
    description = "Simulate a federated run in one JVM: many virtual clients on a partition of Fashion-MNIST, the"
        + " same strategy and client code as a deployment, deterministic from the seed.")
final class SimulateCommand implements Callable<Integer> {
  /** When to draw the progress bar. */
  enum ProgressMode { AUTO, ALWAYS, NEVER }

  private static final String DEFAULT_LOG_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

  @Option(names = "--dataset", defaultValue = "fashion-mnist", description = "Dataset (default: ${DEFAULT-VALUE}).")
  String dataset;

  @Option(names = "--data", defaultValue = "/usr/share/datasets/fashion-mnist",
      description = "Where the dataset's IDX files are (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--clients", required = true, description = "Virtual clients to partition the training set over.")
  int clients;

  @Option(names = "--clients-per-round", defaultValue = "10",
      description = "Clients sampled to train each round (default: ${DEFAULT-VALUE}).")
  int clientsPerRound;

  @Option(names = "--rounds", defaultValue = "10", description = "Training rounds (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--scheme", defaultValue = "iid",
      description = "Partition: iid, dirichlet:ALPHA, shards:K or sizeskew:EXPONENT (default: ${DEFAULT-VALUE}).")
  String scheme;

  @Mixin
  StrategyOptionsMixin strategy;

  @Mixin
  CompressionOptionsMixin compression;

  @Option(names = "--byzantine", description = "COUNT:ATTACK: the first COUNT clients attack, with ATTACK one of"
      + " signflip, scale:FACTOR, gaussian:STD or labelflip.")
  String byzantine;

  @Option(names = "--seed", defaultValue = "42",
      description = "Seed of the partition, initial model and sampling (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--out", description = "Folder for metrics.jsonl, model.safetensors, accuracy.png, summary.json.")
  Path out;

  @Option(names = "--workers", description = "Training threads, one intra-op thread each (default: one per core).")
  Integer workers;

  @Option(names = "--fraction-evaluate", defaultValue = "0",
      description = "Share of clients that also evaluate on their local test share each round (default: 0).")
  double fractionEvaluate;

  @Option(names = "--train-examples", description = "Use only the first N training examples (default: all).")
  Integer trainExamples;

  @Option(names = "--test-examples",
      description = "Evaluate centrally on the first N test examples; 0 for no central evaluation (default: all).")
  Integer testExamples;

  @Option(names = "--round-timeout", defaultValue = "1h", converter = DurationConverter.class,
      description = "How long a round (or, with --workflow async, a client's task) waits for a client, on the"
          + " simulated clock: a client slower than that is dropped (default: ${DEFAULT-VALUE}).")
  Duration roundTimeout;

  @Option(names = "--progress", defaultValue = "auto",
      description = "Progress bar on stderr: auto (when on a terminal), always or never (default: ${DEFAULT-VALUE}).")
  ProgressMode progress;

  @Mixin
  TrainingOptions training;

  @Mixin
  PrivacyOptionsMixin privacy;

  @Mixin
  DashboardOptionsMixin dashboard;

  @Mixin
  AsyncOptionsMixin async;

  @Option(names = "--client-speed", paramLabel = "SPEC",
      description = "How much slower than nominal each client computes on the simulated clock: uniform,"
          + " lognormal:SIGMA or stragglers:FRACTION:SLOWDOWN (default: uniform).")
  String clientSpeed;

  @Option(names = "--stragglers", paramLabel = "FRACTION:SLOWDOWN",
      description = "Shorthand for --client-speed stragglers:FRACTION:SLOWDOWN, e.g. 0.2:10.")
  String stragglers;

  @Mixin
  SecureAggregationOptionsMixin secureAggregation;

  @Mixin
  StoredRunOptionsMixin stored;

  @Override
  public Integer call() throws Exception {
    if (!dataset.equals("fashion-mnist")) {
      throw new IllegalArgumentException("unknown dataset '" + dataset + "'; known: fashion-mnist");
    }
    AsyncChoice asyncChoice = async.choice();
    int sampledPerStep = asyncChoice == null ? clientsPerRound : asyncChoice.bufferSize();
    SimulationSettings.Builder settings = SimulationSettings.builder()
        .model(training.model).strategy(strategy.choice(training.model).withPrivacy(privacy.choice(
            sampledPerStep / (double) Math.max(1, clients), rounds, OptionalLong.of(seed)).orElse(null))
            .withCompression(compression.choice()))
        .clients(clients, clientsPerRound)
        .rounds(rounds).byzantine(byzantine == null ? null : ByzantineAttack.parse(byzantine))
        .partitioner(Partitioners.parse(scheme)).seed(seed).trainConfig(training.trainConfig(0.01, 0))
        .fractionEvaluate(fractionEvaluate).roundTimeout(roundTimeout).out(out).initialModel(training.initialModel)
        .async(asyncChoice).clientSpeed(clientSpeed(clientSpeed, stragglers));
    if (workers != null) {
      settings.workers(workers);
    }
    SimulationSettings s = settings.build();
    TrainStage secure = secureAggregation.stage(s.strategy(), s.clientsPerRound());
    if (trainExamples != null && trainExamples < 1) {
      throw new IllegalArgumentException("--train-examples must be >= 1, got " + trainExamples);
    }
    LabelledImages train = limit(FashionMnist.train(dataDir), trainExamples, "--train-examples");
    LabelledImages test = limit(FashionMnist.test(dataDir), testExamples, "--test-examples");
    boolean bar = progress == ProgressMode.ALWAYS || progress == ProgressMode.AUTO && System.console() != null;
    if (bar) {
      quietInfoLogs();
    }
    System.out.printf("simulating %d clients (%d per round, %s, seed %d), %d rounds of %s with model %s on %d"
            + " training examples, %d workers%n", s.clients(), s.clientsPerRound(), s.partitioner().spec(), s.seed(),
        s.rounds(), s.strategy().describe() + (secure == null ? "" : ", " + secure), s.model(), train.size(),
        s.workers());
    if (s.async() != null) {
      System.out.printf("asynchronous: %s; rounds are model versions%n", s.async().describe());
    }
    if (!s.clientSpeed().equals("uniform")) {
      System.out.printf("client speeds on the simulated clock: %s%n", s.clientSpeed());
    }
    Simulation.checkWorkflow(s, secure); // before the run is stored
    try (RunPersistence persistence = stored.open(() -> StoredSimulation.spec(s, train.size(),
            test == null ? 0 : test.size(), secure));
        Dashboard board = dashboard.start()) {
      SimulationResult result = Simulation.run(s, train, test,
          new ConsoleProgress(System.out, bar ? System.err : null), board, secure, persistence);
      System.out.print(result.toText());
      if (out != null) {
        List<String> written = Stream.of(MetricsLog.FILE_NAME, RunOutput.MODEL_FILE, RunOutput.CHART_FILE,
            Simulation.SUMMARY_FILE).filter(name -> Files.exists(out.resolve(name))).toList();
        System.out.printf("wrote %s in %s%n", String.join(", ", written), out);
      }
      dashboard.linger(board);
    }
    return 0;
  }

  /** The speed spec of {@code --client-speed} or {@code --stragglers} (not both); {@code uniform} by default. */
  static String clientSpeed(String clientSpeed, String stragglers) {
    if (clientSpeed != null && stragglers != null) {
      throw new IllegalArgumentException("give --client-speed or --stragglers, not both");
    }
    return stragglers != null ? "stragglers:" + stragglers : clientSpeed != null ? clientSpeed : "uniform";
  }

  /**
   * Keeps informational log lines off the terminal while the progress bar is drawn there (the round lines say the
   * same), unless the user chose a log level. Takes effect because nothing has logged yet in this process.
   */
  private static void quietInfoLogs() {
    if (System.getProperty(DEFAULT_LOG_LEVEL) == null) {
      System.setProperty(DEFAULT_LOG_LEVEL, "warn");
    }
  }

  /** The first {@code n} examples of {@code data}, all when {@code n} is null, none (null) when it is 0. */
  private static LabelledImages limit(LabelledImages data, Integer n, String option) {
    if (n == null) {
      return data;
    }
    if (n < 0) {
      throw new IllegalArgumentException(option + " must be >= 0, got " + n);
    }
    return n == 0 ? null : data.first(n);
  }
}
