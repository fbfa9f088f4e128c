package dev.flotilla.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpdateValidatorTest {
  private final ModelWeights global = ModelWeights.of(List.of(
      Tensor.of("w", new int[] {2, 2}, new float[4]), Tensor.of("b", new int[] {2}, new float[2])));

  @Test
  void acceptsMatchingFiniteUpdate() {
    ModelWeights ok = ModelWeights.of(List.of(
        Tensor.of("w", new int[] {2, 2}, new float[] {1, 2, 3, 4}), Tensor.of("b", new int[] {2}, new float[] {5, 6})));
    assertThat(UpdateValidator.problem(global.specs(), ok)).isEmpty();
  }

  @Test
  void namesWrongShapeMissingTensorAndNonFiniteValue() {
    ModelWeights shape = ModelWeights.of(List.of(
        Tensor.of("w", new int[] {4}, new float[4]), Tensor.of("b", new int[] {2}, new float[2])));
    assertThat(UpdateValidator.problem(global.specs(), shape)).get().asString().contains("w[2, 2]").contains("w[4]");

    ModelWeights missing = ModelWeights.of(List.of(Tensor.of("w", new int[] {2, 2}, new float[4])));
    assertThat(UpdateValidator.problem(global.specs(), missing)).get().asString().contains("expected 2 tensors");

    ModelWeights nan = ModelWeights.of(List.of(
        Tensor.of("w", new int[] {2, 2}, new float[] {0, 0, Float.NaN, 0}), Tensor.of("b", new int[] {2}, new float[2])));
    assertThat(UpdateValidator.problem(global.specs(), nan)).get().asString().contains("'w'").contains("index 2");

    ModelWeights inf = ModelWeights.of(List.of(
        Tensor.of("w", new int[] {2, 2}, new float[4]),
        Tensor.of("b", new int[] {2}, new float[] {0, Float.NEGATIVE_INFINITY})));
    assertThat(UpdateValidator.problem(global.specs(), inf)).get().asString().contains("'b'").contains("Infinity");
  }
}
