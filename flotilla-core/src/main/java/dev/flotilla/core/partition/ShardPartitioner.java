package dev.flotilla.core.partition;

import dev.flotilla.core.random.Seeds;
import java.util.List;
import java.util.Random;

/**
 * The pathological non-IID split of the FedAvg paper (McMahan et al., "Communication-Efficient Learning of Deep
 * Networks from Decentralized Data", 2017, section 3): sort the examples by label (ties by index), cut them into
 * {@code numClients × shardsPerClient} shards of equal size (sizes differ by at most one when the count does not
 * divide), and give each client {@code shardsPerClient} shards chosen at random. With MNIST, 100 clients and 2 shards
 * each, most clients see only two digits.
 *
 * @param shardsPerClient shards each client gets, at least 1
 */
public record ShardPartitioner(int shardsPerClient) implements Partitioner {
  /** Validates the option. */
  public ShardPartitioner {
    if (shardsPerClient < 1) {
      throw new IllegalArgumentException("shards per client must be at least 1, got " + shardsPerClient);
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException also if there are fewer examples than shards
   */
  @Override
  public List<int[]> partition(int[] labels, int numClients, long seed) {
    int numClasses = Splits.checkArguments(labels, numClients);
    long numShards = (long) numClients * shardsPerClient;
    if (numShards > labels.length) {
      throw new IllegalArgumentException("cannot cut " + labels.length + " examples into " + numClients + " × "
          + shardsPerClient + " = " + numShards + " non-empty shards");
    }
    int[] sorted = new int[labels.length];
    int filled = 0;
    for (int[] members : Splits.indicesByClass(labels, numClasses)) {
      System.arraycopy(members, 0, sorted, filled, members.length);
      filled += members.length;
    }
    int shards = (int) numShards;
    int[] shardOrder = Splits.range(shards);
    Seeds.shuffle(shardOrder, new Random(seed));

    int[] order = new int[labels.length];
    int[] clientSizes = new int[numClients];
    int out = 0;
    for (int i = 0; i < shards; i++) {
      int shard = shardOrder[i];
      int from = shardStart(shard, labels.length, shards);
      int size = shardStart(shard + 1, labels.length, shards) - from;
      System.arraycopy(sorted, from, order, out, size);
      out += size;
      clientSizes[i / shardsPerClient] += size;
    }
    return Splits.cut(order, clientSizes);
  }

  private static int shardStart(int shard, int n, int shards) {
    return (int) ((long) shard * n / shards);
  }

  @Override
  public String spec() {
    return "shards:" + shardsPerClient;
  }

  @Override
  public String toString() {
    return spec();
  }
}
