package dev.flotilla.core.aggregate;

import static dev.flotilla.core.testing.TrainRounds.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.tensor.ModelWeights;
import java.util.List;
import org.junit.jupiter.api.Test;

class BulyanMeanTest {
  @Test
  void selectsByRepeatedKrumAmongThoseLeft() {
    // values 0, 1, 2, 3, 4, 50, 100; n = 7, f = 1 (4f + 3 = 7): θ = 5 picks; squared distances (a − b)²
    // pick 1, all 7 left, 4 neighbours: 2 scores 1 + 1 + 4 + 4 = 10, the best → index 2
    // pick 2, {0, 1, 3, 4, 50, 100}, 3 neighbours: 1 → 1 + 4 + 9 = 14, 3 → 1 + 4 + 9 = 14; tie → index 1
    // pick 3, {0, 3, 4, 50, 100}, 2 neighbours: 0 → 9 + 16 = 25, 3 → 1 + 9 = 10, 4 → 1 + 16 = 17 → index 3
    // pick 4, {0, 4, 50, 100}, 1 neighbour: 0 → 16, 4 → 16, 50 → 46² = 2116; tie → index 0
    // pick 5, {4, 50, 100}, 1 neighbour: 4 → 2116, 50 → 2116, 100 → 2500; tie → index 4
    List<ModelWeights> models = List.of(vector(0), vector(1), vector(2), vector(3), vector(4), vector(50),
        vector(100));
    assertThat(BulyanMean.select(KrumScores.distances(models), 1)).containsExactly(2, 1, 3, 0, 4);
  }

  @Test
  void averagesTheValuesClosestToTheMedian() {
    // β = 3 of 5 per coordinate
    // x0: {0, 1, 2, 10, 11}, median 2: 2 (0), 1 (1), 0 (2; 10 is 8 away) → (2 + 1 + 0) / 3 = 1
    // x1: {5, 5, 6, 7, 100}, median 6: 6, then 5 and 7 are both 1 away, lower first: 5, 5 → 16 / 3 = 5.3333
    List<ModelWeights> models = List.of(vector(10, 5), vector(0, 100), vector(2, 6), vector(11, 7), vector(1, 5));
    ModelWeights m = BulyanMean.closestToMedianMean(models, 3);
    assertThat(m.get(0).get(0)).isCloseTo(1f, within(1e-6f));
    assertThat(m.get(0).get(1)).isCloseTo(5.3333333f, within(1e-6f));
  }

  @Test
  void evenCountStartsFromBothMiddleValues() {
    // {1, 2, 3, 4}, median 2.5, β = 2: 2 and 3 are both 0.5 away → (2 + 3) / 2 = 2.5
    assertThat(BulyanMean.closestToMedianMean(List.of(vector(4), vector(1), vector(3), vector(2)), 2)
        .get(0).get(0)).isEqualTo(2.5f);
  }

  @Test
  void refusesTooFewModels() {
    double[][] six = KrumScores.distances(List.of(vector(0), vector(1), vector(2), vector(3), vector(4),
        vector(5)));
    assertThat(BulyanMean.enoughModels(6, 1)).isFalse();
    assertThat(BulyanMean.enoughModels(7, 1)).isTrue();
    assertThatThrownBy(() -> BulyanMean.select(six, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Bulyan needs n >= 4f + 3 = 7 models for f = 1, got 6");
    assertThatThrownBy(() -> BulyanMean.closestToMedianMean(List.of(vector(1)), 2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("beta");
  }
}
