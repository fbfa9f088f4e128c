package dev.flotilla.core.aggregate;

import static dev.flotilla.core.testing.TrainRounds.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoordinateMedianTest {
  @Test
  void medianOfEachCoordinate() {
    // x0: {1, 2, 100} → 2; x1: {10, −5, 0} → 0
    ModelWeights m = CoordinateMedian.of(List.of(vector(1, 10), vector(2, -5), vector(100, 0)));
    assertThat(m.get(0).toArray()).containsExactly(2f, 0f);
  }

  @Test
  void evenCountTakesTheMeanOfTheMiddleTwo() {
    // {1, 2, 3, 100} → (2 + 3) / 2 = 2.5
    ModelWeights m = CoordinateMedian.of(List.of(vector(100), vector(1), vector(3), vector(2)));
    assertThat(m.get(0).toArray()).containsExactly(2.5f);
  }

  @Test
  void leavesTheInputsUntouchedAndKeepsShapes() {
    ModelWeights a = ModelWeights.of(Tensor.of("w", new int[] {1, 2}, new float[] {3, 1}));
    ModelWeights b = ModelWeights.of(Tensor.of("w", new int[] {1, 2}, new float[] {1, 3}));
    ModelWeights m = CoordinateMedian.of(List.of(a, b));
    assertThat(m.get(0).shape()).containsExactly(1, 2);
    assertThat(m.get(0).toArray()).containsExactly(2f, 2f);
    assertThat(a.get(0).toArray()).containsExactly(3f, 1f);
  }

  @Test
  void rejectsMismatchedShapesNamingTheTensorAndNoModels() {
    assertThatThrownBy(() -> CoordinateMedian.of(List.of(vector(1, 2), vector(1))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x[2]").hasMessageContaining("x[1]");
    assertThatThrownBy(() -> CoordinateMedian.of(List.of())).isInstanceOf(IllegalArgumentException.class);
  }
}
