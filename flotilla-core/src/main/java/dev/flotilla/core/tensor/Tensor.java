package dev.flotilla.core.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * An immutable, named float32 tensor. The values live in one {@code float[]} that no user of the tensor can
 * reach; bulk operations ({@link #copyTo}, {@link #addScaledTo}, {@link #writeLittleEndian}) run the loops here so
 * that hot paths need no per-element calls and no defensive copies.
 */
public final class Tensor {
  private final TensorSpec spec;
  private final float[] data;

  private Tensor(TensorSpec spec, float[] data) {
    if (data.length != spec.size()) {
      throw new IllegalArgumentException(
          "tensor " + spec + " needs " + spec.size() + " values, got " + data.length);
    }
    this.spec = spec;
    this.data = data;
  }

  /** A tensor holding a copy of {@code values}. */
  public static Tensor of(String name, int[] shape, float[] values) {
    return new Tensor(new TensorSpec(name, shape), values.clone());
  }

  /**
   * A tensor that takes ownership of {@code values} without copying. The caller must not touch the array
   * afterwards; this is for producers (decoders, aggregators) that have just filled a fresh array.
   */
  public static Tensor wrap(TensorSpec spec, float[] values) {
    return new Tensor(spec, values);
  }

  /** A tensor of zeros. */
  public static Tensor zeros(TensorSpec spec) {
    return new Tensor(spec, new float[spec.size()]);
  }

  public TensorSpec spec() {
    return spec;
  }

  public String name() {
    return spec.name();
  }

  public int[] shape() {
    return spec.shape();
  }

  /** Number of elements. */
  public int size() {
    return data.length;
  }

  /** Size of the values in bytes (4 per element). */
  public long byteSize() {
    return 4L * data.length;
  }

  public float get(int index) {
    return data[index];
  }

  /** A fresh copy of the values. */
  public float[] toArray() {
    return data.clone();
  }

  /** A read-only view of the values. */
  public FloatBuffer buffer() {
    return FloatBuffer.wrap(data).asReadOnlyBuffer();
  }

  /** Copies all values into {@code dst} starting at {@code offset}. */
  public void copyTo(float[] dst, int offset) {
    System.arraycopy(data, 0, dst, offset, data.length);
  }

  /** {@code acc[i] += scale * this[i]} for every element: the inner loop of weighted averaging. */
  public void addScaledTo(float[] acc, float scale) {
    if (acc.length != data.length) {
      throw new IllegalArgumentException("accumulator of " + acc.length + " for tensor " + spec);
    }
    float[] d = data;
    for (int i = 0; i < d.length; i++) {
      acc[i] += scale * d[i];
    }
  }

  /**
   * Writes {@code count} values starting at element {@code from} to {@code dst} as little-endian float32, advancing
   * its position by {@code 4 * count}.
   */
  public void writeLittleEndian(ByteBuffer dst, int from, int count) {
    ByteBuffer le = dst.order() == ByteOrder.LITTLE_ENDIAN ? dst : dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    le.asFloatBuffer().put(data, from, count);
    dst.position(dst.position() + 4 * count);
  }

  /** Index of the first NaN or infinite value, or -1 if all values are finite. */
  public int firstNonFinite() {
    float[] d = data;
    for (int i = 0; i < d.length; i++) {
      if (!Float.isFinite(d[i])) {
        return i;
      }
    }
    return -1;
  }

  /** True if both tensors have the same spec and bit-identical values. */
  public boolean contentEquals(Tensor other) {
    return spec.equals(other.spec) && Arrays.equals(data, other.data);
  }

  @Override
  public String toString() {
    return "Tensor" + spec;
  }
}
