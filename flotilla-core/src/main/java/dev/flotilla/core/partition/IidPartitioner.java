package dev.flotilla.core.partition;

import dev.flotilla.core.random.Seeds;
import java.util.List;
import java.util.Random;

/**
 * The IID split: a seeded random permutation of all indices cut into {@code numClients} consecutive parts of equal
 * size; when the count does not divide evenly, the first {@code n mod numClients} clients get one more. Labels
 * play no part. Fashion-MNIST's 60,000 examples over 10 clients give 6,000 each (workload W1).
 */
public final class IidPartitioner implements Partitioner {
  /** Creates the IID partitioner; it has no options. */
  public IidPartitioner() {}

  @Override
  public List<int[]> partition(int[] labels, int numClients, long seed) {
    Splits.checkArguments(labels, numClients);
    int[] order = Splits.range(labels.length);
    Seeds.shuffle(order, new Random(seed));
    return Splits.cut(order, Splits.equalSizes(labels.length, numClients));
  }

  @Override
  public String spec() {
    return "iid";
  }

  @Override
  public String toString() {
    return spec();
  }
}
