package dev.flotilla.cli;

import dev.flotilla.core.partition.LocalTestSplit;
import dev.flotilla.core.partition.Partitioner;
import dev.flotilla.core.partition.Partitioners;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.djl.data.ClientDataFolder;
import dev.flotilla.djl.data.FashionMnist;
import dev.flotilla.djl.data.LabelledImages;
import dev.flotilla.server.FlotillaServer;
import dev.flotilla.server.ServerSettings;
import dev.flotilla.workflow.RunSummary;
import dev.flotilla.workflow.SyncSettings;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code flotilla demo}: a whole deployment on one machine. Partitions Fashion-MNIST, starts a server in this
 * process and one client process per partition on 127.0.0.1, and runs FedAvg with central evaluation.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "A real federated run on Fashion-MNIST: one server and several client processes on 127.0.0.1.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--out", description = "Folder for metrics.jsonl, model.safetensors, client data and logs.")
  Path out;

  @Option(names = "--clients", defaultValue = "5", description = "Client processes (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(names = "--rounds", defaultValue = "10", description = "Rounds (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--scheme", defaultValue = "iid",
      description = "Partition: iid, dirichlet:A, shards:K (default: ${DEFAULT-VALUE}).")
  String scheme;

  @Option(names = "--seed", defaultValue = "42", description = "Seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--data", defaultValue = "/usr/share/datasets/fashion-mnist",
      description = "Fashion-MNIST IDX folder (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--round-timeout", defaultValue = "300s", converter = DurationConverter.class,
      description = "How long a round waits for results (default: ${DEFAULT-VALUE}).")
  Duration roundTimeout;

  @Option(names = "--client-heap", defaultValue = "512m",
      description = "-Xmx of each client process (default: ${DEFAULT-VALUE}).")
  String clientHeap;

  @Option(names = "--fraction-evaluate", defaultValue = "0",
      description = "Share of clients that also evaluate on their local test share each round (default: 0).")
  double fractionEvaluate;

  @Mixin
  TrainingOptions training;

  @Mixin
  StrategyOptionsMixin strategy;

  @Mixin
  CompressionOptionsMixin compression;

  @Override
  public Integer call() throws Exception {
    Path work = out != null ? out : Files.createTempDirectory("flotilla-demo");
    Path dataRoot = work.resolve("data");
    Path logs = work.resolve("logs");
    Files.createDirectories(logs);
    List<Path> folders = partition(dataRoot);

    // the client processes share this machine's cores: as many train at once as there are cores
    SyncSettings sync = SyncSettings.builder().rounds(rounds).minClients(clients).minFitClients(1)
        .roundTimeout(roundTimeout).seed(seed).maxConcurrentFit(Runtime.getRuntime().availableProcessors()).build();
    StrategyChoice choice = strategy.choice(training.model).withCompression(compression.choice());
    choice.validate(training.model, clients);
    ModelWeights initial = InitialModel.load(training.model, seed, training.initialModel);
    List<Process> processes = new ArrayList<>();
    Thread killer = new Thread(() -> processes.forEach(Process::destroyForcibly));
    Runtime.getRuntime().addShutdownHook(killer);
    try (FlotillaServer server = FlotillaServer.start(ServerSettings.builder().host("127.0.0.1").port(0).build())) {
      for (int i = 0; i < folders.size(); i++) {
        processes.add(startClient(server.port(), folders.get(i), logs.resolve("client-" + i + ".log")));
      }
      System.out.printf("started %d client processes (logs in %s)%n", processes.size(), logs);
      RunSummary summary = ServerRun.run(server, sync, choice, training.trainConfig(0.05, 0.9), initial, 1.0, 1,
          fractionEvaluate, dataDir, out);
      summary.records().stream().reduce((a, b) -> b).ifPresent(last -> System.out.printf(
          "final accuracy %.4f after %d rounds%n", last.accuracy(), last.round()));
    } finally {
      for (Process p : processes) {
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
      Runtime.getRuntime().removeShutdownHook(killer);
    }
    return 0;
  }

  private List<Path> partition(Path root) throws IOException {
    Partitioner partitioner = Partitioners.parse(scheme);
    LabelledImages train = FashionMnist.train(dataDir);
    LabelledImages test = FashionMnist.test(dataDir);
    List<int[]> trainParts = partitioner.partition(train.labels(), clients, seed);
    List<int[]> testParts = LocalTestSplit.split(train.labels(), trainParts, test.labels(), seed + 1);
    List<Path> folders = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      Path dir = PartitionCommand.clientDir(root, c);
      ClientDataFolder.write(dir, train.subset(trainParts.get(c)), test.subset(testParts.get(c)));
      folders.add(dir);
    }
    System.out.printf("partitioned Fashion-MNIST over %d clients (%s, seed %d) into %s%n", clients,
        partitioner.spec(), seed, root);
    return folders;
  }

  private Process startClient(int port, Path dataDir, Path log) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + clientHeap, "-XX:+UseSerialGC", "-Dai.djl.offline=true"));
    cmd.addAll(classDataSharing(ManagementFactory.getRuntimeMXBean().getInputArguments()));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "client", "--server-address", "127.0.0.1:" + port, "--data-dir", dataDir.toString()));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /**
   * The class-data sharing options among {@code jvmArguments} (the launcher's archive, see {@code flotilla}), which
   * the clients started with the same class path can map too.
   */
  static List<String> classDataSharing(List<String> jvmArguments) {
    return jvmArguments.stream().filter(a -> a.startsWith("-XX:SharedArchiveFile=") || a.startsWith("-Xshare:")
        || a.startsWith("-Xlog:cds")).toList();
  }

}
