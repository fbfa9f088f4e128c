package dev.flotilla.core.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.core.testing.TestModels;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TopKCodecTest {
  private static final List<TensorSpec> SPECS = List.of(new TensorSpec("v", new int[] {6}));
  private static final ModelWeights SIX = ModelWeights.of(
      Tensor.of("v", new int[] {6}, new float[] {0.1f, -3, 2, 0.5f, -2, 0}));

  @Test
  void keepsTheLargestMagnitudesInIndexOrderAndTiesAtTheLowerIndex() {
    TopKCodec codec = new TopKCodec(0.5, true); // k = 3: -3, then the tie 2 / -2 goes to index 2
    ModelWeights encoded = codec.encode(SIX, new Random(1));
    assertThat(encoded.get("v/indices").toIntArray()).containsExactly(1, 2, 4);
    assertThat(encoded.get("v/values").toArray()).containsExactly(-3, 2, -2);
    assertThat(codec.decode(encoded, SPECS).get("v").toArray()).containsExactly(0, -3, 2, 0, -2, 0);
  }

  @Test
  void keepsTheCeilingOfTheRatioAndAtLeastOneValue() {
    TopKCodec codec = new TopKCodec(0.01, true);
    assertThat(codec.kept(1000)).isEqualTo(10);
    assertThat(codec.kept(1001)).isEqualTo(11);
    assertThat(codec.kept(6)).isEqualTo(1);
    assertThat(codec.kept(0)).isEqualTo(0);
    assertThat(new TopKCodec(1, true).kept(6)).isEqualTo(6);
  }

  @Test
  void sendsKeptValuesExactlyAndDropsNoneLargerThanTheSmallestKept() {
    List<TensorSpec> specs = List.of(new TensorSpec("w", new int[] {100, 37}));
    ModelWeights in = TestModels.random(specs, 2);
    TopKCodec codec = new TopKCodec(0.05, true);
    ModelWeights encoded = codec.encode(in, new Random(1));
    float[] out = codec.decode(encoded, specs).get("w").toArray();
    float smallestKept = Float.MAX_VALUE;
    int kept = 0;
    for (int i = 0; i < out.length; i++) {
      if (out[i] != 0) {
        assertThat(out[i]).isEqualTo(in.get(0).get(i));
        smallestKept = Math.min(smallestKept, Math.abs(out[i]));
        kept++;
      }
    }
    assertThat(kept).isEqualTo(codec.kept(3700));
    for (int i = 0; i < out.length; i++) {
      if (out[i] == 0) {
        assertThat(Math.abs(in.get(0).get(i))).isLessThanOrEqualTo(smallestKept);
      }
    }
    assertThat(encoded.byteSize()).isEqualTo(8L * codec.kept(3700));
  }

  @Test
  void refusesIndicesOutOfRangeRepeatedOrDescending() {
    TopKCodec codec = new TopKCodec(0.5, true);
    for (int[] bad : new int[][] {{0, 1, 6}, {1, 1, 2}, {2, 1, 4}, {-1, 0, 1}}) {
      ModelWeights payload = ModelWeights.of(Tensor.ofInts("v/indices", new int[] {3}, bad),
          Tensor.of("v/values", new int[] {3}, new float[] {1, 2, 3}));
      assertThatThrownBy(() -> codec.decode(payload, SPECS)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("topk:0.5: tensor 'v': index ")
          .hasMessageEndingWith("indices must ascend strictly within [0, 6)");
    }
  }

  @Test
  void refusesMoreValuesThanTheRatioAllows() {
    ModelWeights dense = new TopKCodec(1, true).encode(SIX, new Random(1));
    assertThatThrownBy(() -> new TopKCodec(0.5, true).decode(dense, SPECS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("topk:0.5: tensor 'v': carries 6 values, more than the 3 of 6 that topk:0.5 allows");
  }

  @Test
  void refusesARatioOutsideZeroToOne() {
    for (double bad : new double[] {0, -0.1, 1.5, Double.NaN}) {
      assertThatThrownBy(() -> new TopKCodec(bad, true)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("(0, 1]");
    }
  }
}
