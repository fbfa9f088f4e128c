package dev.flotilla.core.aggregate;

import static dev.flotilla.core.testing.TrainRounds.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.tensor.ModelWeights;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoordinateTrimmedMeanTest {
  private static final List<ModelWeights> FIVE = List.of(
      vector(4, -1), vector(100, 0), vector(1, 1), vector(3, -100), vector(2, 2));

  @Test
  void dropsTheExtremesOfEachCoordinate() {
    // β = 0.2, n = 5: ⌊0.2 × 5⌋ = 1 value dropped at each end
    // x0: {1, 2, 3, 4, 100} → (2 + 3 + 4) / 3 = 3; x1: {−100, −1, 0, 1, 2} → (−1 + 0 + 1) / 3 = 0
    ModelWeights m = CoordinateTrimmedMean.of(FIVE, 0.2);
    assertThat(m.get(0).get(0)).isCloseTo(3f, within(1e-6f));
    assertThat(m.get(0).get(1)).isCloseTo(0f, within(1e-6f));
  }

  @Test
  void aSmallFractionOfFewModelsTrimsNothing() {
    // ⌊0.2 × 4⌋ = 0: the plain mean (1 + 2 + 3 + 100) / 4 = 26.5
    assertThat(CoordinateTrimmedMean.trimmedPerSide(4, 0.2)).isZero();
    ModelWeights m = CoordinateTrimmedMean.of(List.of(vector(1), vector(2), vector(3), vector(100)), 0.2);
    assertThat(m.get(0).get(0)).isCloseTo(26.5f, within(1e-5f));
  }

  @Test
  void theLargestFractionLeavesTheMiddle() {
    // β = 0.49, n = 5: ⌊2.45⌋ = 2 per side, leaving the median 3
    assertThat(CoordinateTrimmedMean.of(FIVE, 0.49).get(0).get(0)).isEqualTo(3f);
  }

  @Test
  void rejectsAFractionOutsideTheRange() {
    assertThatThrownBy(() -> CoordinateTrimmedMean.of(FIVE, 0.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("trim fraction must be in [0, 0.5), got 0.5");
    assertThatThrownBy(() -> CoordinateTrimmedMean.of(FIVE, -0.1)).hasMessageContaining("-0.1");
  }
}
