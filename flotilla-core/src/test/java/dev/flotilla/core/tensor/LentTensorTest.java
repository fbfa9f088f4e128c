package dev.flotilla.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LentTensorTest {
  private static final TensorSpec SPEC = new TensorSpec("w", new int[] {3, 700});

  @Test
  void aLentTensorReadsAsTheSameValuesInAnArray() {
    float[] values = values(SPEC.size());
    Tensor heap = Tensor.of("w", SPEC.shape(), values);
    BufferLoan loan = new BufferLoan(() -> { });
    Tensor lent = Tensor.lent(SPEC, segments(values, 4 * 333, true), -2, loan);

    assertThat(lent.isLent()).isTrue();
    assertThat(lent.firstNonFinite()).isEqualTo(-1);
    float[] accHeap = values(SPEC.size());
    float[] accLent = accHeap.clone();
    heap.addScaledTo(accHeap, 0.37f);
    lent.addScaledTo(accLent, 0.37f);
    assertThat(accLent).containsExactly(accHeap);
    assertThat(lent.toArray()).containsExactly(values);
    assertThat(lent.isLent()).as("toArray makes a copy for the caller only").isTrue();
    assertThat(lent.toByteArray()).containsExactly(heap.toByteArray());
    assertThat(lent.contentEquals(heap)).isTrue();
    assertThat(heap.contentEquals(lent)).isTrue();
    assertThat(lent.renamed("v").get(5)).isEqualTo(values[5]);
  }

  @Test
  void aNonFiniteValueIsFoundAcrossSegmentsOrTakenFromTheProducer() {
    float[] values = values(SPEC.size());
    values[1500] = Float.NEGATIVE_INFINITY;
    Tensor lent = Tensor.lent(SPEC, segments(values, 4 * 100, false), -2, new BufferLoan(() -> { }));
    assertThat(lent.firstNonFinite()).isEqualTo(1500);
    Tensor told = Tensor.lent(SPEC, segments(values, 4 * 100, false), 1500, new BufferLoan(() -> { }));
    assertThat(told.firstNonFinite()).isEqualTo(1500);
  }

  @Test
  void afterTheLoanEveryReadThrowsInsteadOfReadingTheBuffers() {
    float[] values = values(SPEC.size());
    AtomicInteger returned = new AtomicInteger();
    BufferLoan loan = new BufferLoan(returned::incrementAndGet);
    Tensor lent = Tensor.lent(SPEC, segments(values, 4 * 256, true), -2, loan);
    Tensor copiedFirst = Tensor.lent(SPEC, segments(values, 4 * 256, true), -2, loan);
    assertThat(copiedFirst.get(7)).isEqualTo(values[7]); // copies its values into an array

    loan.giveBack();
    loan.giveBack();
    assertThat(returned).hasValue(1);
    assertThat(loan.isOver()).isTrue();
    String gone = "tensor w[3, 700] was read from a transport's buffers, which were given back with its"
        + " message; keep a copy (toArray) of what must outlive the message";
    assertThatThrownBy(() -> lent.addScaledTo(new float[SPEC.size()], 1f)).hasMessage(gone);
    assertThatThrownBy(() -> lent.get(0)).hasMessage(gone);
    assertThatThrownBy(lent::toArray).hasMessage(gone);
    assertThatThrownBy(lent::firstNonFinite).hasMessage(gone);
    assertThat(copiedFirst.isLent()).isFalse();
    assertThat(copiedFirst.toArray()).containsExactly(values);
  }

  @Test
  void segmentsThatAreNotWholeFloatsOrNotTheSpecsSizeAreRefused() {
    float[] values = values(SPEC.size());
    List<ByteBuffer> odd = segments(values, 4 * 100 + 1, false);
    assertThatThrownBy(() -> Tensor.lent(SPEC, odd, -2, new BufferLoan(() -> { })))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("segment 0 of tensor w[3, 700] has 401 bytes, not a whole number of floats");
    List<ByteBuffer> short1 = segments(new float[10], 40, false);
    assertThatThrownBy(() -> Tensor.lent(SPEC, short1, -2, new BufferLoan(() -> { })))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("tensor w[3, 700] needs 8400 bytes, got 40");
    TensorSpec ints = new TensorSpec("i", DType.INT32, new int[] {1});
    assertThatThrownBy(() -> Tensor.lent(ints, List.of(ByteBuffer.allocate(4)), -2, new BufferLoan(() -> { })))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static float[] values(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) Math.sin(i) * 3 - (i % 7 == 0 ? 0f : 1e-30f);
    }
    return v;
  }

  /** The values' little-endian bytes cut every {@code size} bytes, each piece a view at a non-zero offset. */
  private static List<ByteBuffer> segments(float[] values, int size, boolean direct) {
    ByteBuffer all = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    all.asFloatBuffer().put(values);
    List<ByteBuffer> out = new ArrayList<>();
    for (int at = 0; at < all.capacity(); at += size) {
      int n = Math.min(size, all.capacity() - at);
      ByteBuffer b = direct ? ByteBuffer.allocateDirect(n + 3) : ByteBuffer.allocate(n + 3);
      b.position(3);
      b.put(all.array(), at, n).flip().position(3);
      out.add(b);
    }
    return out;
  }
}
