package dev.flotilla.core.tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * The name, element type and shape of a tensor, without its values.
 *
 * @param name  unique within a model or message, such as {@code "conv1.weight"}
 * @param dtype element type
 * @param shape dimensions, outermost first; empty for a scalar
 */
public record TensorSpec(String name, DType dtype, int[] shape) {
  public TensorSpec {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("tensor name must not be empty");
    }
    Objects.requireNonNull(dtype, "dtype");
    shape = shape.clone();
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension: " + Arrays.toString(shape));
      }
      n *= d;
      if (n > Integer.MAX_VALUE - 8) {
        break;
      }
    }
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("tensor '" + name + "' has more elements than one array can hold: "
          + Arrays.toString(shape));
    }
  }

  /** A float32 spec. */
  public TensorSpec(String name, int[] shape) {
    this(name, DType.FLOAT32, shape);
  }

  /** Returns a copy of the shape. */
  @Override
  public int[] shape() {
    return shape.clone();
  }

  /** Number of elements: the product of the dimensions. */
  public int size() {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  /** Size of the values in bytes. */
  public long byteSize() {
    return (long) size() * dtype.byteSize();
  }

  /** The same name and shape with another element type. */
  public TensorSpec withDtype(DType other) {
    return new TensorSpec(name, other, shape);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec s && s.name.equals(name) && s.dtype == dtype && Arrays.equals(s.shape, shape);
  }

  @Override
  public int hashCode() {
    return (name.hashCode() * 31 + dtype.hashCode()) * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape) + (dtype == DType.FLOAT32 ? "" : " " + dtype);
  }
}
