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
}
