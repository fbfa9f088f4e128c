package dev.flotilla.core.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.core.testing.TestModels;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Float16Codec} and {@link Bfloat16Codec}. */
class HalfFloatCodecTest {
  private static final List<TensorSpec> SPECS = List.of(new TensorSpec("w", new int[] {20, 30}));

  private static void assertRelativeError(Codec codec, double bound) {
    ModelWeights in = TestModels.random(SPECS, 11);
    ModelWeights out = codec.decode(codec.encode(in, new Random(1)), SPECS);
    for (int i = 0; i < SPECS.get(0).size(); i++) {
      float x = in.get(0).get(i);
      assertThat((double) Math.abs(out.get(0).get(i) - x)).isLessThanOrEqualTo(bound * Math.abs(x));
    }
  }

  @Test
  void float16IsWithinHalfAUnitInTheLastPlace() {
    assertRelativeError(new Float16Codec(), Math.pow(2, -11));
  }

  @Test
  void bfloat16IsWithinHalfAUnitInTheLastPlace() {
    assertRelativeError(new Bfloat16Codec(), Math.pow(2, -8));
  }

  @Test
  void float16RefusesAValueBeyondItsRange() {
    ModelWeights big = ModelWeights.of(Tensor.of("w", new int[] {2}, new float[] {1, 70000}));
    assertThatThrownBy(() -> new Float16Codec().encode(big, new Random(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fp16: tensor 'w' has value 70000.0 at index 1, beyond the range of float16");
  }

  @Test
  void refusesAnInfiniteValueInThePayload() {
    byte[] bits = {0, 0, 0, 0x7c}; // 0, +infinity
    ModelWeights corrupt = ModelWeights.of(Tensor.wrapBytes(new TensorSpec("w/fp16", DType.FLOAT16, new int[] {2}),
        bits));
    assertThatThrownBy(() -> new Float16Codec().decode(corrupt, List.of(new TensorSpec("w", new int[] {2}))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fp16: tensor 'w': decodes to a non-finite value (Infinity) at index 1");
  }
}
