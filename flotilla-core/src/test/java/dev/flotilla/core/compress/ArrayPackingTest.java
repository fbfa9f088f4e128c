package dev.flotilla.core.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ArrayPackingTest {
  private static final ModelWeights ARRAYS = ModelWeights.of(
      Tensor.of("w/f32", new int[] {2, 2}, new float[] {1, -2, 3.5f, 0}),
      Tensor.wrapBytes(new TensorSpec("w/q", DType.INT8, new int[] {3}), new byte[] {-127, 0, 127}),
      Tensor.ofInts("idx", new int[] {2}, new int[] {7, 1 << 30}),
      Tensor.ofLongs("long", new int[] {1}, new long[] {-1}),
      Tensor.wrapBytes(new TensorSpec("h", DType.FLOAT16, new int[] {}), new byte[] {0, 0x3c}),
      Tensor.ofBytes("ünïcode", new byte[] {1, 2, 3}));

  @Test
  void unpacksWhatItPacked() {
    assertThat(ArrayPacking.unpack(ArrayPacking.pack(ARRAYS)).contentEquals(ARRAYS)).isTrue();
    assertThat(ArrayPacking.unpack(ArrayPacking.pack(ModelWeights.empty())).isEmpty()).isTrue();
  }

  @Test
  void refusesEveryTruncationAndTrailingBytes() {
    byte[] packed = ArrayPacking.pack(ARRAYS);
    for (int n = 0; n < packed.length; n++) {
      byte[] cut = Arrays.copyOf(packed, n);
      assertThatThrownBy(() -> ArrayPacking.unpack(cut)).as("%d bytes", n)
          .isInstanceOf(IllegalArgumentException.class);
    }
    byte[] longer = Arrays.copyOf(packed, packed.length + 1);
    assertThatThrownBy(() -> ArrayPacking.unpack(longer)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("follow");
  }

  @Test
  void refusesAHugeCountWithoutAllocating() {
    assertThatThrownBy(() -> ArrayPacking.unpack(new byte[] {-1, -1, -1, 0x7f, 0, 0, 0, 0}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("count of 2147483647");
  }
}
