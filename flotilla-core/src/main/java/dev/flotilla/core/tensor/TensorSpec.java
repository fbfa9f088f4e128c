package dev.flotilla.core.tensor;

import java.util.Arrays;

/**
 * The name and shape of a float32 tensor, without its values.
 *
 * @param name  unique within a model, such as {@code "conv1.weight"}
 * @param shape dimensions, outermost first; empty for a scalar
 */
public record TensorSpec(String name, int[] shape) {
  public TensorSpec {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("tensor name must not be empty");
    }
    shape = shape.clone();
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension: " + Arrays.toString(shape));
      }
      n *= d;
    }
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("tensor '" + name + "' has " + n + " elements, more than one array can hold");
    }
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

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec s && s.name.equals(name) && Arrays.equals(s.shape, shape);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape);
  }
}
