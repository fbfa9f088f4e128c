package dev.flotilla.core.aggregate;

import dev.flotilla.core.tensor.ModelWeights;
import java.util.Arrays;
import java.util.List;

/**
 * The coordinate-wise median of models (Yin, Chen, Ramchandran and Bartlett, "Byzantine-Robust Distributed
 * Learning: Towards Optimal Statistical Rates", ICML 2018): each value of the result is the median of that value
 * over the models, the mean of the two middle ones for an even count. Unweighted: every model counts once.
 */
public final class CoordinateMedian {
  private CoordinateMedian() {}

  /**
   * The coordinate-wise median of {@code models}.
   *
   * @throws IllegalArgumentException if there are no models or their specs differ (naming the tensor)
   */
  public static ModelWeights of(List<ModelWeights> models) {
    return CoordinateWise.reduce(models, CoordinateMedian::median);
  }

  /** The median of {@code values}, which it sorts. */
  static float median(float[] values) {
    Arrays.sort(values);
    int n = values.length;
    return n % 2 == 1 ? values[n / 2] : (float) (((double) values[n / 2 - 1] + values[n / 2]) / 2);
  }
}
