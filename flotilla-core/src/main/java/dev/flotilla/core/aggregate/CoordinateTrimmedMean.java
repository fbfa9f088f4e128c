package dev.flotilla.core.aggregate;

import dev.flotilla.core.tensor.ModelWeights;
import java.util.Arrays;
import java.util.List;

/**
 * The coordinate-wise trimmed mean of models (Yin, Chen, Ramchandran and Bartlett, "Byzantine-Robust Distributed
 * Learning: Towards Optimal Statistical Rates", ICML 2018): for each value, drop the {@code ⌊β n⌋} largest and the
 * {@code ⌊β n⌋} smallest of the {@code n} models and average the rest, as {@code scipy.stats.trim_mean} and
 * Flower's FedTrimmedAvg do. Unweighted: every model counts once.
 */
public final class CoordinateTrimmedMean {
  private CoordinateTrimmedMean() {}

  /** How many values are dropped at each end for {@code n} models and fraction {@code beta}: {@code ⌊β n⌋}. */
  public static int trimmedPerSide(int n, double beta) {
    requireFraction(beta);
    return (int) Math.floor(beta * n);
  }

  /**
   * The trimmed mean of {@code models}, dropping {@link #trimmedPerSide} values at each end of every coordinate.
   *
   * @param beta the fraction dropped at each end, in [0, 0.5), so that at least one value is left
   * @throws IllegalArgumentException if there are no models, their specs differ or {@code beta} is out of range
   */
  public static ModelWeights of(List<ModelWeights> models, double beta) {
    int cut = trimmedPerSide(models.size(), beta);
    return CoordinateWise.reduce(models, values -> {
      Arrays.sort(values);
      double sum = 0;
      for (int k = cut; k < values.length - cut; k++) {
        sum += values[k];
      }
      return (float) (sum / (values.length - 2 * cut));
    });
  }

  private static void requireFraction(double beta) {
    if (!(beta >= 0 && beta < 0.5)) {
      throw new IllegalArgumentException("trim fraction must be in [0, 0.5), got " + beta);
    }
  }
}
