package dev.flotilla.core.partition;

import dev.flotilla.core.random.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Splits a test set over clients so that each client's local test share has the label distribution of its training
 * share: the examples of class {@code k} are dealt to the clients in proportion to how many training examples of
 * class {@code k} each holds (largest remainders, so every example goes to exactly one client that trains on class
 * {@code k}). Under label skew (Dirichlet, shards) a client is then tested on the classes it knows, which is what
 * federated evaluation of a personalised model needs; partitioning the test set independently would test a
 * two-class client on two other classes. Classes no client trains on are left out. Deterministic for a seed.
 */
public final class LocalTestSplit {
  private LocalTestSplit() {}

  /**
   * The test indices of each client, client {@code c} at position {@code c}, ascending.
   *
   * @param trainLabels the labels of the training set
   * @param trainParts  each client's training indices into {@code trainLabels}
   * @param testLabels  the labels of the test set
   * @param seed        shuffles each class's test examples before they are dealt
   * @throws IllegalArgumentException naming a negative label or an index outside the training set
   */
  public static List<int[]> split(int[] trainLabels, List<int[]> trainParts, int[] testLabels, long seed) {
    int numClasses = Math.max(Splits.checkArguments(trainLabels, 1), Splits.checkArguments(testLabels, 1));
    int clients = trainParts.size();
    long[][] counts = new long[numClasses][clients];
    for (int c = 0; c < clients; c++) {
      for (int i : trainParts.get(c)) {
        if (i < 0 || i >= trainLabels.length) {
          throw new IllegalArgumentException("client " + c + " has training index " + i + ", outside the "
              + trainLabels.length + " examples");
        }
        counts[trainLabels[i]][c]++;
      }
    }
    List<List<Integer>> out = new ArrayList<>(clients);
    for (int c = 0; c < clients; c++) {
      out.add(new ArrayList<>());
    }
    int[][] byClass = Splits.indicesByClass(testLabels, numClasses);
    Random random = new Random(Seeds.mix(seed));
    for (int k = 0; k < numClasses; k++) {
      int[] examples = byClass[k].clone();
      Seeds.shuffle(examples, random);
      int[] shares = shares(examples.length, counts[k]);
      int from = 0;
      for (int c = 0; c < clients; c++) {
        for (int j = 0; j < shares[c]; j++) {
          out.get(c).add(examples[from++]);
        }
      }
    }
    List<int[]> result = new ArrayList<>(clients);
    for (List<Integer> indices : out) {
      result.add(indices.stream().mapToInt(Integer::intValue).sorted().toArray());
    }
    return List.copyOf(result);
  }

  /** {@code n} split in proportion to {@code weights} by largest remainders; all zero weights give all zeros. */
  static int[] shares(int n, long[] weights) {
    long total = 0;
    for (long w : weights) {
      total += w;
    }
    int[] shares = new int[weights.length];
    if (total == 0) {
      return shares;
    }
    double[] remainders = new double[weights.length];
    int given = 0;
    for (int c = 0; c < weights.length; c++) {
      double exact = (double) n * weights[c] / total;
      shares[c] = (int) Math.floor(exact);
      remainders[c] = exact - shares[c];
      given += shares[c];
    }
    for (; given < n; given++) {
      int best = -1;
      for (int c = 0; c < weights.length; c++) {
        if (weights[c] > 0 && (best < 0 || remainders[c] > remainders[best])) {
          best = c;
        }
      }
      shares[best]++;
      remainders[best] = -1;
    }
    return shares;
  }
}
