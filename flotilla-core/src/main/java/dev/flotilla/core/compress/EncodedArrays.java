package dev.flotilla.core.compress;

import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The arrays of an encoded payload as a decoder reads them: each array is taken by tensor and part
 * ({@code tensor/part}) with the type and shape it must have, and {@link #requireAllTaken()} refuses arrays that
 * nobody took. Every problem is an {@link IllegalArgumentException} naming the codec, the tensor and the array.
 * Not thread-safe; one per decoding.
 */
final class EncodedArrays {
  private final ModelWeights encoded;
  private final String codec;
  private final Set<String> taken = new HashSet<>();

  EncodedArrays(ModelWeights encoded, String codec) {
    this.encoded = encoded;
    this.codec = codec;
  }

  /** The name of the array holding {@code part} of {@code tensor}. */
  static String name(String tensor, String part) {
    return tensor + "/" + part;
  }

  /** Whether the payload holds {@code part} of {@code tensor}. */
  boolean has(String tensor, String part) {
    return encoded.has(name(tensor, part));
  }

  /** The array for {@code part} of {@code tensor}, which must have type {@code dtype} and shape {@code shape}. */
  Tensor take(String tensor, String part, DType dtype, int[] shape) {
    Tensor t = take(tensor, part, dtype);
    if (!Arrays.equals(t.shape(), shape)) {
      throw problem(tensor, "array '" + t.name() + "' should have shape " + Arrays.toString(shape) + ", got "
          + Arrays.toString(t.shape()));
    }
    return t;
  }

  /** The array for {@code part} of {@code tensor}, which must have type {@code dtype} and one dimension. */
  Tensor takeVector(String tensor, String part, DType dtype) {
    Tensor t = take(tensor, part, dtype);
    if (t.shape().length != 1) {
      throw problem(tensor, "array '" + t.name() + "' should have one dimension, got " + Arrays.toString(t.shape()));
    }
    return t;
  }

  /** Throws naming the arrays that no {@code take} asked for. */
  void requireAllTaken() {
    if (taken.size() == encoded.count()) {
      return;
    }
    List<String> extra = encoded.names().stream().filter(n -> !taken.contains(n)).toList();
    throw new IllegalArgumentException(codec + ": the payload holds arrays that belong to no expected tensor: " + extra);
  }

  /** An exception naming the codec and the tensor. */
  IllegalArgumentException problem(String tensor, String what) {
    return new IllegalArgumentException(codec + ": tensor '" + tensor + "': " + what);
  }

  private Tensor take(String tensor, String part, DType dtype) {
    String name = name(tensor, part);
    Tensor t = encoded.find(name).orElseThrow(() -> problem(tensor, "array '" + name + "' is missing"));
    if (t.dtype() != dtype) {
      throw problem(tensor, "array '" + name + "' should be " + dtype + ", got " + t.dtype());
    }
    taken.add(name);
    return t;
  }
}
