package dev.flotilla.core.attack;

import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Element-by-element arithmetic on a trained model and the global model it was trained from. */
final class Elementwise {
  /** The value to send for one coordinate. */
  @FunctionalInterface
  interface Operator {
    float apply(float global, float trained);
  }

  private Elementwise() {}

  /** {@code op(global, trained)} for every coordinate of every tensor of {@code trained}, matched by name. */
  static ModelWeights combine(ModelWeights global, ModelWeights trained, Operator op) {
    List<Tensor> out = new ArrayList<>(trained.count());
    for (Tensor t : trained.tensors()) {
      Tensor g = global.find(t.name()).orElseThrow(() -> new IllegalArgumentException(
          "the trained tensor '" + t.name() + "' is not in the received model " + global.names()));
      if (!g.spec().equals(t.spec())) {
        throw new IllegalArgumentException("the trained tensor " + t.spec() + " does not fit the received "
            + g.spec());
      }
      float[] values = t.toArray();
      for (int i = 0; i < values.length; i++) {
        values[i] = op.apply(g.get(i), values[i]);
      }
      out.add(Tensor.wrap(t.spec(), values));
    }
    return ModelWeights.of(out);
  }
}
