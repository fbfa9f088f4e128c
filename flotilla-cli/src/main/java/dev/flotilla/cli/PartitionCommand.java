package dev.flotilla.cli;

import dev.flotilla.core.partition.LocalTestSplit;
import dev.flotilla.core.partition.PartitionStats;
import dev.flotilla.core.partition.Partitioner;
import dev.flotilla.core.partition.Partitioners;
import dev.flotilla.djl.data.ClientDataFolder;
import dev.flotilla.djl.data.FashionMnist;
import dev.flotilla.djl.data.LabelledImages;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flotilla partition}: splits a dataset's training set over clients and writes one folder per client, in
 * the format of {@link ClientDataFolder} ({@code client-0}, {@code client-1}, … directly under {@code --out}).
 */
@Command(name = "partition", mixinStandardHelpOptions = true,
    description = "Split a dataset over clients: one folder per client holding only its examples (IDX files):"
        + " its share of the training set, and a share of the test set split the same way for local evaluation.")
final class PartitionCommand implements Callable<Integer> {
  @Option(names = "--dataset", defaultValue = "fashion-mnist", description = "Dataset (default: ${DEFAULT-VALUE}).")
  String dataset;

  @Option(names = "--data", defaultValue = "/usr/share/datasets/fashion-mnist",
      description = "Where the dataset's IDX files are (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--clients", required = true, description = "Number of clients.")
  int clients;

  @Option(names = "--scheme", defaultValue = "iid", description = "iid, dirichlet:ALPHA, shards:K or sizeskew:EXPONENT.")
  String scheme;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the split (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--out", required = true, description = "Folder that receives one sub-folder per client.")
  Path out;

  @Option(names = "--stats", description = "Print per-client sizes and label histograms.")
  boolean stats;

  @Override
  public Integer call() {
    if (!dataset.equals("fashion-mnist")) {
      throw new IllegalArgumentException("unknown dataset '" + dataset + "'; known: fashion-mnist");
    }
    if (clients < 1) {
      throw new IllegalArgumentException("--clients must be at least 1, got " + clients);
    }
    Partitioner partitioner = Partitioners.parse(scheme);
    LabelledImages train = FashionMnist.train(dataDir);
    LabelledImages test = FashionMnist.test(dataDir);
    List<int[]> parts = partitioner.partition(train.labels(), clients, seed);
    List<int[]> testParts = LocalTestSplit.split(train.labels(), parts, test.labels(), seed + 1);
    for (int c = 0; c < parts.size(); c++) {
      ClientDataFolder.write(clientDir(out, c), train.subset(parts.get(c)), test.subset(testParts.get(c)));
    }
    System.out.printf("wrote %d client folders under %s (%s, seed %d, %d examples)%n", parts.size(), out,
        partitioner.spec(), seed, train.size());
    if (stats) {
      System.out.println(PartitionStats.of(train.labels(), parts).toTable());
    }
    return 0;
  }

  /** The folder of client {@code index} under {@code root}. */
  static Path clientDir(Path root, int index) {
    return root.resolve("client-" + index);
  }
}
