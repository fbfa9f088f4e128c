package dev.flotilla.core.aggregate;

import dev.flotilla.core.tensor.ModelWeights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Bulyan (El Mhamdi, Guerraoui and Rouault, "The Hidden Vulnerability of Distributed Learning in Byzantium",
 * ICML 2018), for {@code n ≥ 4f + 3} models of which up to {@code f} are Byzantine: select {@code θ = n − 2f} models
 * by repeated Krum, each time taking the best-scored model of those left; then, coordinate by coordinate, average
 * the {@code β = θ − 2f} selected values closest to their median. Unweighted: every model counts once.
 */
public final class BulyanMean {
  private BulyanMean() {}

  /** Whether Bulyan's bound {@code n ≥ 4f + 3} holds. */
  public static boolean enoughModels(int n, int f) {
    return n >= 4 * f + 3;
  }

  /**
   * The {@code θ = n − 2f} models chosen by repeated Krum, as indices in the order chosen; scores are computed
   * among the models not chosen yet.
   *
   * @throws IllegalArgumentException if {@code n < 4f + 3}
   */
  public static int[] select(double[][] distances, int f) {
    int n = distances.length;
    if (!enoughModels(n, f)) {
      throw new IllegalArgumentException("Bulyan needs n >= 4f + 3 = " + (4 * f + 3) + " models for f = " + f
          + ", got " + n);
    }
    int theta = n - 2 * f;
    List<Integer> left = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      left.add(i);
    }
    int[] chosen = new int[theta];
    for (int c = 0; c < theta; c++) {
      int[] among = left.stream().mapToInt(Integer::intValue).toArray();
      chosen[c] = KrumScores.ranking(KrumScores.scores(distances, among, f), among)[0];
      left.remove(Integer.valueOf(chosen[c]));
    }
    return chosen;
  }

  /**
   * For each coordinate, the mean of the {@code beta} values of {@code models} closest to their median; of two
   * values equally close, the lower is taken first.
   *
   * @param beta how many values to average, in [1, models.size()]
   */
  public static ModelWeights closestToMedianMean(List<ModelWeights> models, int beta) {
    if (beta < 1 || beta > models.size()) {
      throw new IllegalArgumentException("beta must be in [1, " + models.size() + "], got " + beta);
    }
    return CoordinateWise.reduce(models, values -> closestToMedianMean(values, beta));
  }

  /** The mean of the {@code beta} of {@code values} closest to their median; sorts {@code values}. */
  static float closestToMedianMean(float[] values, int beta) {
    double median = CoordinateMedian.median(values); // sorts
    int n = values.length;
    int below = (n - 1) / 2; // the value at or just below the median
    int above = below + 1;
    double sum = 0;
    for (int taken = 0; taken < beta; taken++) {
      boolean takeBelow = below >= 0 && (above >= n || median - values[below] <= values[above] - median);
      sum += takeBelow ? values[below--] : values[above++];
    }
    return (float) (sum / beta);
  }

  /** {@code models} at {@code indices}, in that order. */
  public static List<ModelWeights> pick(List<ModelWeights> models, int[] indices) {
    return Arrays.stream(indices).mapToObj(models::get).toList();
  }
}
