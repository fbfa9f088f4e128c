package dev.flotilla.core.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.core.testing.TestModels;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Int8CodecTest {
  private static final List<TensorSpec> SPECS = List.of(new TensorSpec("w", new int[] {3, 50}),
      new TensorSpec("b", new int[] {50}));

  @Test
  void quantisesASmallTensorAsByHand() {
    ModelWeights in = ModelWeights.of(Tensor.of("b", new int[] {4}, new float[] {1.27f, -0.64f, 0.3f, 0}));
    ModelWeights encoded = new Int8Codec(false).encode(in, new Random(1));
    // one scale for a vector: max |x| / 127 = 0.01; q = round(x / 0.01)
    assertThat(encoded.get("b/scale").toArray()).containsExactly(new float[] {0.01f}, within(1e-9f));
    assertThat(encoded.get("b/q").toFloat32().toArray()).containsExactly(127, -64, 30, 0);
    assertThat(encoded.byteSize()).isEqualTo(4 + 4);
  }

  @Test
  void weightsOfTwoOrMoreDimensionsGetAScalePerOutputChannel() {
    ModelWeights in = ModelWeights.of(
        Tensor.of("w", new int[] {2, 2}, new float[] {1, -2, 100, 50}),
        Tensor.of("conv", new int[] {3, 1, 2, 2}, new float[12]));
    ModelWeights encoded = new Int8Codec(false).encode(in, new Random(1));
    assertThat(encoded.get("w/scale").toArray()).containsExactly(new float[] {2f / 127, 100f / 127}, within(1e-7f));
    assertThat(encoded.get("conv/scale").shape()).containsExactly(3);
    // the small channel keeps its precision beside the large one
    ModelWeights decoded = new Int8Codec(false).decode(encoded, in.specs());
    assertThat(decoded.get("w").get(0)).isCloseTo(1f, within(1f / 127));
  }

  @Test
  void roundingToNearestIsOffByAtMostHalfAScale() {
    ModelWeights in = TestModels.random(SPECS, 3);
    Int8Codec codec = new Int8Codec(false);
    ModelWeights encoded = codec.encode(in, new Random(1));
    ModelWeights out = codec.decode(encoded, SPECS);
    for (TensorSpec s : SPECS) {
      Tensor scales = encoded.get(s.name() + "/scale");
      int perChannel = s.size() / scales.size();
      for (int i = 0; i < s.size(); i++) {
        float scale = scales.get(i / perChannel);
        assertThat(Math.abs(out.get(s.name()).get(i) - in.get(s.name()).get(i))).isLessThanOrEqualTo(
            scale / 2 * 1.0001f);
      }
    }
  }

  @Test
  void stochasticRoundingIsOffByLessThanAScaleAndUnbiased() {
    ModelWeights in = TestModels.random(SPECS, 3);
    Int8Codec codec = new Int8Codec(true);
    Random random = new Random(5);
    int trials = 2000;
    double[] sum = new double[SPECS.get(0).size()];
    for (int trial = 0; trial < trials; trial++) {
      ModelWeights encoded = codec.encode(in, random);
      Tensor out = codec.decode(encoded, SPECS).get("w");
      Tensor scales = encoded.get("w/scale");
      for (int i = 0; i < sum.length; i++) {
        float scale = scales.get(i / 50);
        assertThat(Math.abs(out.get(i) - in.get("w").get(i))).isLessThan(scale * 1.0001f);
        sum[i] += out.get(i);
      }
    }
    // the mean of 2000 draws is within 4 standard errors (scale / 2 / sqrt(2000) at most) of the value
    Tensor scales = codec.encode(in, random).get("w/scale");
    for (int i = 0; i < sum.length; i++) {
      double bound = 4 * scales.get(i / 50) / 2 / Math.sqrt(trials);
      assertThat(sum[i] / trials).isCloseTo(in.get("w").get(i), within(bound));
    }
  }

  @Test
  void refusesANegativeOrNonFiniteScale() {
    Int8Codec codec = new Int8Codec(false);
    ModelWeights encoded = codec.encode(TestModels.random(SPECS, 3), new Random(1));
    for (float bad : new float[] {-1f, Float.NaN, Float.POSITIVE_INFINITY}) {
      ModelWeights corrupt = encoded.replacing(ModelWeights.of(Tensor.of("b/scale", new int[] {1}, new float[] {bad})));
      assertThatThrownBy(() -> codec.decode(corrupt, SPECS)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("int8: tensor 'b': scale 0 is " + bad + "; scales must be finite and >= 0");
    }
  }

  @Test
  void refusesScalesThatDoNotMatchTheChannels() {
    Int8Codec codec = new Int8Codec(false);
    ModelWeights encoded = codec.encode(TestModels.random(SPECS, 3), new Random(1));
    ModelWeights perTensor = encoded.replacing(ModelWeights.of(Tensor.of("w/scale", new int[] {1}, new float[] {1})));
    assertThatThrownBy(() -> codec.decode(perTensor, SPECS)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("int8: tensor 'w': array 'w/scale' should have shape [3], got [1]");
  }
}
