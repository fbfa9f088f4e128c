package dev.flotilla.djl.data;

import java.util.Arrays;

/**
 * The content of one IDX file of unsigned bytes: its dimensions and its values in row-major order. IDX is the
 * format of MNIST and Fashion-MNIST (<a href="http://yann.lecun.com/exdb/mnist/">LeCun et al.</a>): a 4-byte magic
 * number {@code 0x00 0x00 type ndims}, then {@code ndims} big-endian 32-bit sizes, then the values. Flotilla reads
 * and writes the unsigned-byte type ({@code 0x08}), which holds images and labels.
 *
 * <p>Immutable: the values are copied in, and {@link #values()} returns a copy. Inside this package the backing
 * array is shared without copies, since a training set is tens of megabytes.
 */
public final class IdxArray {
  /** The IDX type code of unsigned bytes. */
  public static final int UNSIGNED_BYTE = 0x08;

  private final int[] dims;
  private final byte[] values;

  private IdxArray(int[] dims, byte[] values) {
    long n = 1;
    for (int d : dims) {
      if (d < 0) {
        throw new IllegalArgumentException("IDX dimension must be >= 0, got " + Arrays.toString(dims));
      }
      n *= d;
    }
    if (dims.length == 0 || dims.length > 255) {
      throw new IllegalArgumentException("IDX arrays have 1 to 255 dimensions, got " + dims.length);
    }
    if (n != values.length) {
      throw new IllegalArgumentException(
          "IDX dimensions " + Arrays.toString(dims) + " need " + n + " values, got " + values.length);
    }
    this.dims = dims;
    this.values = values;
  }

  /** An array holding copies of {@code dims} and {@code values}; their product must equal the value count. */
  public static IdxArray of(int[] dims, byte[] values) {
    return new IdxArray(dims.clone(), values.clone());
  }

  /** Takes ownership of both arrays without copying: for readers that have just filled them. */
  static IdxArray wrap(int[] dims, byte[] values) {
    return new IdxArray(dims, values);
  }

  /** The dimensions, outermost first (a copy). */
  public int[] dims() {
    return dims.clone();
  }

  /** Number of dimensions. */
  public int rank() {
    return dims.length;
  }

  /** Size of dimension {@code axis}. */
  public int dim(int axis) {
    return dims[axis];
  }

  /** The values as unsigned bytes stored in Java {@code byte}s (a copy; read one with {@code b & 0xFF}). */
  public byte[] values() {
    return values.clone();
  }

  /** Number of values. */
  public int size() {
    return values.length;
  }

  /** The backing array, not a copy: package-private so that large data moves without copying. */
  byte[] backing() {
    return values;
  }

  @Override
  public String toString() {
    return "IdxArray" + Arrays.toString(dims);
  }
}
