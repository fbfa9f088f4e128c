package dev.flotilla.core.partition;

import dev.flotilla.core.random.Seeds;
import java.util.List;
import java.util.Random;

/**
 * Label skew by Dirichlet proportions (Hsu, Qi and Brown, "Measuring the Effects of Non-Identical Data
 * Distribution for Federated Visual Classification", 2019; the split of workload W1): for each class in turn,
 * shuffle that class's indices and cut them among the clients by proportions drawn from
 * Dirichlet({@code alpha · 1_numClients}); if some client ends up with fewer than {@code minSize} examples, draw the
 * whole split again (continuing the same random stream). Small alpha gives each client few classes; large alpha
 * approaches IID. Client sizes vary.
 *
 * <p>The cut points of a class of {@code n} examples are {@code floor(n · (p₀ + … + p_c))}, so rounding never moves
 * an example out of its class's share by more than one.
 *
 * @param alpha   concentration, positive; 0.5 in W1
 * @param minSize fewest examples any client may get, at least 0; 10 in W1
 */
public record DirichletPartitioner(double alpha, int minSize) implements Partitioner {
  /** The minimum client size of workload W1. */
  public static final int DEFAULT_MIN_SIZE = 10;

  /** Draws of the whole split before giving up: reached only when {@code minSize} is nearly impossible. */
  static final int MAX_ATTEMPTS = 10_000;

  /** Validates the options. */
  public DirichletPartitioner {
    if (!(alpha > 0) || Double.isInfinite(alpha)) {
      throw new IllegalArgumentException("Dirichlet alpha must be positive and finite, got " + alpha);
    }
    if (minSize < 0) {
      throw new IllegalArgumentException("Dirichlet minimum client size must be >= 0, got " + minSize);
    }
  }

  /** With the default minimum client size of {@value #DEFAULT_MIN_SIZE}. */
  public DirichletPartitioner(double alpha) {
    this(alpha, DEFAULT_MIN_SIZE);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException also if {@code numClients × minSize} exceeds the number of examples, or if no
   *     draw within {@value #MAX_ATTEMPTS} attempts gave every client {@code minSize} examples
   */
  @Override
  public List<int[]> partition(int[] labels, int numClients, long seed) {
    int numClasses = Splits.checkArguments(labels, numClients);
    if ((long) numClients * minSize > labels.length) {
      throw new IllegalArgumentException("cannot give each of " + numClients + " clients " + minSize
          + " examples: only " + labels.length + " examples");
    }
    Random random = new Random(seed);
    int[][] byClass = Splits.indicesByClass(labels, numClasses);
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      int[][] sizes = new int[numClasses][];
      int[] order = new int[labels.length];
      int filled = 0;
      for (int k = 0; k < numClasses; k++) {
        int[] members = byClass[k].clone();
        Seeds.shuffle(members, random);
        sizes[k] = cutSizes(members.length, DirichletSampler.dirichlet(random, alpha, numClients));
        System.arraycopy(members, 0, order, filled, members.length);
        filled += members.length;
      }
      int[] clientSizes = new int[numClients];
      for (int[] classSizes : sizes) {
        for (int c = 0; c < numClients; c++) {
          clientSizes[c] += classSizes[c];
        }
      }
      if (min(clientSizes) >= minSize) {
        return Splits.cut(groupByClient(order, sizes, numClients), clientSizes);
      }
    }
    throw new IllegalArgumentException("no Dirichlet(" + alpha + ") split of " + labels.length + " examples over "
        + numClients + " clients gave each client " + minSize + " examples in " + MAX_ATTEMPTS + " attempts");
  }

  /** Sizes of the pieces a class of {@code n} examples is cut into, by cumulative proportions. */
  private static int[] cutSizes(int n, double[] proportions) {
    int[] sizes = new int[proportions.length];
    double cumulative = 0;
    int previousCut = 0;
    for (int c = 0; c < proportions.length; c++) {
      cumulative += proportions[c];
      int cut = c == proportions.length - 1 ? n : Math.min(n, (int) Math.floor(cumulative * n));
      cut = Math.max(cut, previousCut);
      sizes[c] = cut - previousCut;
      previousCut = cut;
    }
    return sizes;
  }

  /**
   * Reorders {@code order} (classes one after another, each cut into per-client pieces) so that each client's
   * pieces are consecutive, client 0 first.
   */
  private static int[] groupByClient(int[] order, int[][] sizes, int numClients) {
    int[][] starts = new int[sizes.length][numClients];
    int pos = 0;
    for (int k = 0; k < sizes.length; k++) {
      for (int c = 0; c < numClients; c++) {
        starts[k][c] = pos;
        pos += sizes[k][c];
      }
    }
    int[] grouped = new int[order.length];
    int out = 0;
    for (int c = 0; c < numClients; c++) {
      for (int k = 0; k < sizes.length; k++) {
        System.arraycopy(order, starts[k][c], grouped, out, sizes[k][c]);
        out += sizes[k][c];
      }
    }
    return grouped;
  }

  private static int min(int[] values) {
    int m = Integer.MAX_VALUE;
    for (int v : values) {
      m = Math.min(m, v);
    }
    return m;
  }

  @Override
  public String spec() {
    return minSize == DEFAULT_MIN_SIZE ? "dirichlet:" + alpha : "dirichlet:" + alpha + ":" + minSize;
  }

  @Override
  public String toString() {
    return spec();
  }
}
