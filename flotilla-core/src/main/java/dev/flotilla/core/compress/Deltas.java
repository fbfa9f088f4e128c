package dev.flotilla.core.compress;

import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Differences and sums of float32 weights by tensor name: updates from models and back. */
final class Deltas {
  private Deltas() {}

  /**
   * {@code a - b} for every tensor of {@code a}, in {@code a}'s order.
   *
   * @throws IllegalArgumentException naming the tensor if {@code b} lacks it or it differs in type or shape
   */
  static ModelWeights difference(ModelWeights a, ModelWeights b) {
    return combine(a, b, -1f);
  }

  /**
   * {@code a + b} for every tensor of {@code a}, in {@code a}'s order.
   *
   * @throws IllegalArgumentException naming the tensor if {@code b} lacks it or it differs in type or shape
   */
  static ModelWeights sum(ModelWeights a, ModelWeights b) {
    return combine(a, b, 1f);
  }

  /**
   * {@code base + update} for the tensors of {@code base} that {@code update} holds, in {@code base}'s order: the
   * model a client's update leads to.
   *
   * @throws IllegalArgumentException naming the tensor if {@code update} holds one that {@code base} lacks, or that
   *                                  differs in type or shape
   */
  static ModelWeights apply(ModelWeights base, ModelWeights update) {
    for (Tensor u : update.tensors()) {
      if (!base.has(u.name())) {
        throw new IllegalArgumentException("the update holds tensor '" + u.name() + "', which the model lacks");
      }
    }
    return sum(base.filter(update::has), update);
  }

  /** The tensors of {@code a} that {@code b} also holds with the same spec. */
  static ModelWeights matching(ModelWeights a, ModelWeights b) {
    return a.filter(name -> b.find(name).map(t -> t.spec().equals(a.get(name).spec())).orElse(false));
  }

  private static ModelWeights combine(ModelWeights a, ModelWeights b, float sign) {
    List<Tensor> out = new ArrayList<>(a.count());
    for (Tensor x : a.tensors()) {
      Tensor y = b.find(x.name()).orElseThrow(() -> new IllegalArgumentException(
          "tensor '" + x.name() + "' has no counterpart in " + b.names()));
      if (!x.spec().equals(y.spec()) || x.dtype() != DType.FLOAT32) {
        throw new IllegalArgumentException("tensor " + x.spec() + " does not match " + y.spec()
            + " (both must be float32 of the same shape)");
      }
      float[] values = x.toArray();
      y.addScaledTo(values, sign);
      out.add(Tensor.wrap(x.spec(), values));
    }
    return ModelWeights.of(out);
  }
}
