package dev.flotilla.djl.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.flotilla.djl.PyTorchRuntime;
import org.junit.jupiter.api.Test;

/** {@link BatchNorms} on numbers small enough to check by hand. */
class BatchNormsTest {
  // Two examples of three channels, one pixel each: channel means 2, 4, 6; biased variances 1, 4, 9; unbiased 2, 8, 18.
  static final float[] X = {1, 2, 3, 3, 6, 9};

  @Test
  void trainingNormalisesWithTheBatchAndMovesTheRunningStatisticsByATenth() {
    try (NDManager m = PyTorchRuntime.engine().newBaseManager()) {
      NDArray runningMean = m.zeros(new Shape(3));
      NDArray runningVar = m.ones(new Shape(3));
      NDArray y = BatchNorms.batchNorm2d(m.create(X, new Shape(2, 3, 1, 1)), m.create(new float[] {1, 2, 3}),
          m.create(new float[] {0, 0, 1}), runningMean, runningVar, true);

      float[] expected = {-1, -2, -2, 1, 2, 4}; // ±1 standard deviation, times the weight, plus the bias
      assertThat(y.toFloatArray()).containsExactly(expected, within(1e-4f));
      assertThat(runningMean.toFloatArray()).containsExactly(new float[] {0.2f, 0.4f, 0.6f}, within(1e-6f));
      assertThat(runningVar.toFloatArray()).as("0.9 * 1 + 0.1 * unbiased variance")
          .containsExactly(new float[] {1.1f, 1.7f, 2.7f}, within(1e-6f));
    }
  }

  @Test
  void evaluationNormalisesWithTheRunningStatisticsAndKeepsThem() {
    try (NDManager m = PyTorchRuntime.engine().newBaseManager()) {
      NDArray runningMean = m.create(new float[] {1, 2, 3});
      NDArray runningVar = m.create(new float[] {4, 16, 1});
      NDArray y = BatchNorms.batchNorm2d(m.create(X, new Shape(2, 3, 1, 1)), m.ones(new Shape(3)),
          m.zeros(new Shape(3)), runningMean, runningVar, false);

      float[] expected = {0, 0, 0, 1, 1, 6}; // (x - mean) / sqrt(var)
      assertThat(y.toFloatArray()).containsExactly(expected, within(1e-4f));
      assertThat(runningMean.toFloatArray()).containsExactly(1, 2, 3);
      assertThat(runningVar.toFloatArray()).containsExactly(4, 16, 1);
    }
  }
}
