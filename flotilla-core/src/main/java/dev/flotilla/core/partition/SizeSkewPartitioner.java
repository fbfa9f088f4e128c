package dev.flotilla.core.partition;

import dev.flotilla.core.random.Seeds;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Quantity skew with IID labels: client sizes follow a power law (Zipf), and each client's examples are a uniform
 * random sample. The client of rank {@code r} (0 = largest) gets a share proportional to {@code (r + 1)^-exponent} of
 * the examples, so with exponent 1.5 and 10 clients the largest holds 10^1.5 ≈ 32 times as many as the smallest;
 * exponent 0 gives equal sizes. Ranks are dealt to clients in a seeded random order, so client 0 is not always the
 * largest.
 *
 * <p>Every client gets at least one example; the remaining {@code n − numClients} are shared by the power law,
 * rounded down, and the examples left over by rounding go to the largest fractional parts (ties to the lower rank).
 *
 * @param exponent power-law exponent, at least 0
 */
public record SizeSkewPartitioner(double exponent) implements Partitioner {
  /** Validates the option. */
  public SizeSkewPartitioner {
    if (!(exponent >= 0) || Double.isInfinite(exponent)) {
      throw new IllegalArgumentException("size-skew exponent must be >= 0 and finite, got " + exponent);
    }
  }

  @Override
  public List<int[]> partition(int[] labels, int numClients, long seed) {
    Splits.checkArguments(labels, numClients);
    Random random = new Random(seed);
    int[] rankOfClient = Splits.range(numClients);
    Seeds.shuffle(rankOfClient, random);
    int[] sizeOfRank = sizesByRank(labels.length, numClients);
    int[] clientSizes = new int[numClients];
    for (int c = 0; c < numClients; c++) {
      clientSizes[c] = sizeOfRank[rankOfClient[c]];
    }
    int[] order = Splits.range(labels.length);
    Seeds.shuffle(order, random);
    return Splits.cut(order, clientSizes);
  }

  /** Client sizes from the largest (rank 0) down, summing to {@code n}. */
  int[] sizesByRank(int n, int numClients) {
    double[] weights = new double[numClients];
    double total = 0;
    for (int r = 0; r < numClients; r++) {
      weights[r] = Math.pow(r + 1, -exponent);
      total += weights[r];
    }
    int rest = n - numClients;
    int[] sizes = new int[numClients];
    double[] fractions = new double[numClients];
    int assigned = 0;
    for (int r = 0; r < numClients; r++) {
      double exact = rest * weights[r] / total;
      int whole = (int) Math.floor(exact);
      sizes[r] = 1 + whole;
      fractions[r] = exact - whole;
      assigned += whole;
    }
    Integer[] byFraction = new Integer[numClients];
    Arrays.setAll(byFraction, r -> r);
    Arrays.sort(byFraction, (a, b) -> fractions[a] != fractions[b] ? Double.compare(fractions[b], fractions[a]) : a - b);
    for (int i = 0; i < rest - assigned; i++) {
      sizes[byFraction[i % numClients]]++;
    }
    return sizes;
  }

  @Override
  public String spec() {
    return "sizeskew:" + exponent;
  }

  @Override
  public String toString() {
    return spec();
  }
}
