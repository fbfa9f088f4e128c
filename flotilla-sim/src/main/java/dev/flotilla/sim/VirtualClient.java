package dev.flotilla.sim;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.strategy.ClientInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One client of a simulation: an id, a seed and the indices of its examples in a data set shared by all virtual
 * clients. Nothing else is kept per client (no model, no copy of data, no thread), so a simulation of many clients
 * costs little more than their index lists; a worker builds the client's {@code ClientApp} only while the client has
 * a task.
 *
 * <p>Immutable and thread-safe; the index arrays are copied in and out.
 */
public final class VirtualClient {
  private final String id;
  private final long seed;
  private final int[] trainIndices;
  private final int[] testIndices;
  private final ClientInfo info;

  /**
   * A virtual client.
   *
   * @param id           identity, as a deployed client's {@code --client-id}
   * @param seed         seed of the client's local randomness (such as the shuffling of its examples)
   * @param trainIndices positions of its training examples in the shared training set
   * @param testIndices  positions of its local test examples in the shared test set (empty for none)
   */
  public VirtualClient(String id, long seed, int[] trainIndices, int[] testIndices) {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("a virtual client needs a non-empty id, got '" + id + "'");
    }
    this.id = id;
    this.seed = seed;
    this.trainIndices = Objects.requireNonNull(trainIndices, "trainIndices").clone();
    this.testIndices = Objects.requireNonNull(testIndices, "testIndices").clone();
    this.info = new ClientInfo(id, Config.of("num_examples", trainIndices.length));
  }

  /**
   * Virtual clients for a partition, as {@code flotilla partition} writes it for deployed clients: client {@code c}
   * is called {@code client-c} (the name of its data folder) and its seed is {@code id.hashCode()}, the seed that
   * {@code flotilla client} uses by default, so a deployment of the same partition trains each client the same way.
   *
   * @param train the training indices of each client, client {@code c} at position {@code c}
   * @param test  the local test indices of each client, or null for none
   * @throws IllegalArgumentException if {@code test} is given for a different number of clients
   */
  public static List<VirtualClient> fromPartition(List<int[]> train, List<int[]> test) {
    if (test != null && test.size() != train.size()) {
      throw new IllegalArgumentException(
          "the test partition has " + test.size() + " clients, the training partition " + train.size());
    }
    List<VirtualClient> out = new ArrayList<>(train.size());
    for (int c = 0; c < train.size(); c++) {
      String id = "client-" + c;
      out.add(new VirtualClient(id, id.hashCode(), train.get(c), test == null ? new int[0] : test.get(c)));
    }
    return List.copyOf(out);
  }

  /** The client's id. */
  public String id() {
    return id;
  }

  /** The seed of the client's local randomness. */
  public long seed() {
    return seed;
  }

  /** A copy of the positions of its training examples. */
  public int[] trainIndices() {
    return trainIndices.clone();
  }

  /** A copy of the positions of its local test examples; empty when it has none. */
  public int[] testIndices() {
    return testIndices.clone();
  }

  /** Number of training examples. */
  public int numTrainExamples() {
    return trainIndices.length;
  }

  /** Number of local test examples. */
  public int numTestExamples() {
    return testIndices.length;
  }

  /** The client as strategies see it: its id and {@code num_examples}, as a deployed client registers. */
  public ClientInfo info() {
    return info;
  }

  @Override
  public String toString() {
    return "VirtualClient[" + id + ", " + trainIndices.length + " training and " + testIndices.length
        + " test examples, seed " + seed + "]";
  }
}
