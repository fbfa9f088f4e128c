package dev.flotilla.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class TensorTest {
  @Test
  void isImmutableToItsUsers() {
    float[] values = {1, 2, 3, 4, 5, 6};
    Tensor t = Tensor.of("w", new int[] {2, 3}, values);
    values[0] = 99;
    t.toArray()[1] = 99;
    t.shape()[0] = 99;
    assertThat(t.get(0)).isEqualTo(1);
    assertThat(t.get(1)).isEqualTo(2);
    assertThat(t.shape()).containsExactly(2, 3);
    assertThat(t.buffer().isReadOnly()).isTrue();
  }

  @Test
  void writesLittleEndianInPieces() {
    Tensor t = Tensor.of("w", new int[] {3}, new float[] {1.5f, -2f, 3.25f});
    ByteBuffer buf = ByteBuffer.allocate(12); // big-endian by default: the tensor must still write LE
    t.writeLittleEndian(buf, 0, 1);
    t.writeLittleEndian(buf, 1, 2);
    assertThat(buf.position()).isEqualTo(12);
    buf.flip().order(ByteOrder.LITTLE_ENDIAN);
    assertThat(new float[] {buf.getFloat(), buf.getFloat(), buf.getFloat()}).containsExactly(1.5f, -2f, 3.25f);
  }

  @Test
  void validatesShapeAndNames() {
    assertThatThrownBy(() -> Tensor.of("w", new int[] {2, 2}, new float[3])).hasMessageContaining("w[2, 2]")
        .hasMessageContaining("3");
    assertThatThrownBy(() -> new TensorSpec("", new int[] {1})).hasMessageContaining("name");
    Tensor a = Tensor.of("a", new int[] {1}, new float[1]);
    assertThatThrownBy(() -> ModelWeights.of(List.of(a, a))).hasMessageContaining("duplicate tensor name 'a'");
  }

  @Test
  void findsNonFiniteValues() {
    assertThat(Tensor.of("a", new int[] {3}, new float[] {0, 1, 2}).firstNonFinite()).isEqualTo(-1);
    assertThat(Tensor.of("a", new int[] {3}, new float[] {0, Float.POSITIVE_INFINITY, Float.NaN}).firstNonFinite())
        .isEqualTo(1);
  }

  @Test
  void findsTheFirstNonFiniteValueAnywhereInALargeTensor() {
    int n = 3 * 4096 + 17;
    float[] extremes = {Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -Float.MIN_NORMAL, -0f, 0f, 1e38f};
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = extremes[i % extremes.length];
    }
    assertThat(Tensor.of("a", new int[] {n}, values).firstNonFinite()).isEqualTo(-1);
    float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0xffc00001)};
    for (int at : new int[] {0, 4095, 4096, 8191, 2 * 4096 + 5, n - 1}) {
      for (float b : bad) {
        float[] v = values.clone();
        v[at] = b;
        if (at + 3 < n) {
          v[at + 3] = Float.NaN; // a later one in the same block is not the first
        }
        assertThat(Tensor.of("a", new int[] {n}, v).firstNonFinite()).as("%s at %d", b, at).isEqualTo(at);
      }
    }
  }

  @Test
  void findsTheFirstNonFiniteValueOfARange() {
    float[] v = new float[10_000];
    v[3] = Float.NaN;
    v[6_000] = Float.NEGATIVE_INFINITY;
    v[9_999] = Float.POSITIVE_INFINITY;

    assertThat(Tensor.firstNonFinite(v, 0, v.length)).isEqualTo(3);
    assertThat(Tensor.firstNonFinite(v, 4, v.length)).isEqualTo(6_000);
    assertThat(Tensor.firstNonFinite(v, 4, 6_000)).isEqualTo(-1);
    assertThat(Tensor.firstNonFinite(v, 6_001, 9_999)).isEqualTo(-1);
    assertThat(Tensor.firstNonFinite(v, 9_999, 9_999)).isEqualTo(-1);
    assertThatThrownBy(() -> Tensor.firstNonFinite(v, 5, 10_001)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void aCheckedTensorAnswersFromItsProducersCheckAndKeepsItWhenRenamed() {
    TensorSpec spec = new TensorSpec("w", new int[] {4});
    float[] values = {0, 1, Float.NaN, 3};

    // The producer's answer is taken as given (here deliberately not the values' own, to show no pass is made).
    assertThat(Tensor.wrapChecked(spec, values.clone(), 1).firstNonFinite()).isEqualTo(1);
    assertThat(Tensor.wrapChecked(spec, values.clone(), 2).renamed("v").firstNonFinite()).isEqualTo(2);
    assertThat(Tensor.wrap(spec, values.clone()).firstNonFinite()).isEqualTo(2);
    assertThatThrownBy(() -> Tensor.wrapChecked(spec, values, 4)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("firstNonFinite must be -1 or an index below 4, got 4");
    assertThatThrownBy(() -> Tensor.wrapChecked(spec, values, -2)).isInstanceOf(IllegalArgumentException.class);
  }
}
