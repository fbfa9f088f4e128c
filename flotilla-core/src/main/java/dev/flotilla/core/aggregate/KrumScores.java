package dev.flotilla.core.aggregate;

import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.TensorSpec;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The Krum score (Blanchard, El Mhamdi, Guerraoui and Stainer, "Machine Learning with Adversaries: Byzantine
 * Tolerant Gradient Descent", NeurIPS 2017): for each of {@code n} models, the sum of its squared Euclidean
 * distances to its {@code n − f − 2} nearest other models, where {@code f} is the number of Byzantine clients
 * tolerated. Honest models, which cluster, score low; Krum keeps the lowest, multi-Krum the {@code m} lowest.
 *
 * <p>Krum's guarantee needs {@code n > 2f + 2}. When fewer models are scored (Bulyan scores shrinking sets), the
 * number of neighbours is {@code max(1, n − f − 2)}, capped at {@code n − 1}, as in Flower.
 */
public final class KrumScores {
  private KrumScores() {}

  /**
   * The squared Euclidean distance between every pair of models, computed in double precision.
   *
   * @throws IllegalArgumentException if the specs of the models differ (naming the tensor)
   */
  public static double[][] distances(List<ModelWeights> models) {
    int n = models.size();
    double[][] d = new double[n][n];
    if (n == 0) {
      return d;
    }
    List<TensorSpec> specs = models.get(0).specs();
    for (ModelWeights model : models) {
      UpdateValidator.requireSpecs(specs, model);
    }
    for (int a = 0; a < n; a++) {
      for (int b = a + 1; b < n; b++) {
        double sum = 0;
        for (int t = 0; t < specs.size(); t++) {
          FloatBuffer x = models.get(a).get(t).buffer();
          FloatBuffer y = models.get(b).get(t).buffer();
          for (int j = 0; j < x.limit(); j++) {
            double diff = (double) x.get(j) - y.get(j);
            sum += diff * diff;
          }
        }
        d[a][b] = sum;
        d[b][a] = sum;
      }
    }
    return d;
  }

  /** The number of nearest neighbours summed in a score among {@code n} models: {@code max(1, n − f − 2)} ≤ n − 1. */
  public static int neighbours(int n, int f) {
    return Math.min(Math.max(1, n - f - 2), Math.max(0, n - 1));
  }

  /**
   * The score of each model of {@code among} (indices into {@code distances}), counting only neighbours within
   * {@code among}; {@code scores[i]} belongs to {@code among[i]}.
   */
  public static double[] scores(double[][] distances, int[] among, int f) {
    int n = among.length;
    int k = neighbours(n, f);
    double[] scores = new double[n];
    double[] others = new double[Math.max(0, n - 1)];
    for (int i = 0; i < n; i++) {
      int o = 0;
      for (int j = 0; j < n; j++) {
        if (j != i) {
          others[o++] = distances[among[i]][among[j]];
        }
      }
      Arrays.sort(others);
      double sum = 0;
      for (int j = 0; j < k; j++) {
        sum += others[j];
      }
      scores[i] = sum;
    }
    return scores;
  }

  /**
   * The models of {@code among} from the lowest score to the highest, ties broken by their position in
   * {@code among}: element 0 is Krum's choice, the first {@code m} are multi-Krum's.
   *
   * @param scores the {@link #scores} of {@code among}
   */
  public static int[] ranking(double[] scores, int[] among) {
    return IntStream.range(0, among.length).boxed()
        .sorted(Comparator.<Integer>comparingDouble(i -> scores[i]).thenComparingInt(i -> i))
        .mapToInt(i -> among[i])
        .toArray();
  }

  /** {@code 0, 1, …, n − 1}: every model. */
  public static int[] all(int n) {
    return IntStream.range(0, n).toArray();
  }
}
