package dev.flotilla.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class WeightedMeanTest {
  private static ModelWeights model(float a0, float a1, float b) {
    return ModelWeights.of(List.of(
        Tensor.of("a", new int[] {2}, new float[] {a0, a1}),
        Tensor.of("b", new int[] {1, 1}, new float[] {b})));
  }

  @Test
  void weightedMeanOfTwoUpdatesMatchesHandComputation() {
    WeightedMean mean = new WeightedMean(model(0, 0, 0).specs());
    mean.fold(model(1, 2, 3), 100); // weight 100
    mean.fold(model(4, 8, -3), 300); // weight 300
    ModelWeights r = mean.result();
    // (100*1 + 300*4)/400 = 3.25; (100*2 + 300*8)/400 = 6.5; (100*3 - 300*3)/400 = -1.5
    assertThat(r.get(0).get(0)).isCloseTo(3.25f, within(1e-6f));
    assertThat(r.get(0).get(1)).isCloseTo(6.5f, within(1e-6f));
    assertThat(r.get(1).get(0)).isCloseTo(-1.5f, within(1e-6f));
    assertThat(r.get(1).shape()).containsExactly(1, 1);
    assertThat(mean.count()).isEqualTo(2);
    assertThat(mean.totalWeight()).isCloseTo(400.0, within(1e-9));
  }

  @Test
  void singleUpdateIsReturnedUnchanged() {
    WeightedMean mean = new WeightedMean(model(0, 0, 0).specs());
    mean.fold(model(0.1f, -7.25f, 1e-3f), 6000);
    assertThat(mean.result().contentEquals(model(0.1f, -7.25f, 1e-3f))).isTrue();
  }

  @Test
  void rejectsMismatchedShapesAndBadWeights() {
    WeightedMean mean = new WeightedMean(model(0, 0, 0).specs());
    ModelWeights wrong = ModelWeights.of(List.of(
        Tensor.of("a", new int[] {3}, new float[] {1, 2, 3}),
        Tensor.of("b", new int[] {1, 1}, new float[] {1})));
    assertThatThrownBy(() -> mean.fold(wrong, 1)).hasMessageContaining("a[2]").hasMessageContaining("a[3]");
    assertThatThrownBy(() -> mean.fold(model(1, 1, 1), 0)).hasMessageContaining("weight");
    assertThatThrownBy(() -> mean.fold(model(1, 1, 1), Double.NaN)).hasMessageContaining("weight");
    assertThatThrownBy(mean::result).isInstanceOf(FlotillaException.class);
  }

  @Test
  void resultIsFinalAndLeavesTheUpdatesUntouched() {
    ModelWeights first = model(1, 2, 3);
    ModelWeights second = model(5, 6, 7);
    WeightedMean mean = new WeightedMean(first.specs());
    mean.fold(first, 1);
    mean.fold(second, 3);

    ModelWeights r = mean.result();

    assertThat(r.contentEquals(model(4, 5, 6))).isTrue();
    assertThat(mean.result()).isSameAs(r);
    assertThat(first.contentEquals(model(1, 2, 3))).isTrue(); // the first update was copied, not adopted
    assertThat(second.contentEquals(model(5, 6, 7))).isTrue();
    assertThatThrownBy(() -> mean.fold(model(1, 1, 1), 1)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("new WeightedMean");
  }
}
