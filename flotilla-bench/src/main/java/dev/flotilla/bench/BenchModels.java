package dev.flotilla.bench;

import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;

/** The models the aggregation benchmarks share: P float32 parameters in equal tensors, cheap pseudo-random values. */
final class BenchModels {
  private BenchModels() {}

  /** {@code tensors} specs {@code layerT.weight} of {@code parameters / tensors} elements each. */
  static List<TensorSpec> specs(int parameters, int tensors) {
    if (parameters % tensors != 0) {
      throw new IllegalArgumentException("P must be a multiple of " + tensors + ", got " + parameters);
    }
    List<TensorSpec> specs = new ArrayList<>(tensors);
    for (int t = 0; t < tensors; t++) {
      specs.add(new TensorSpec("layer" + t + ".weight", new int[] {parameters / tensors}));
    }
    return List.copyOf(specs);
  }

  /**
   * Weights of {@code specs} with values in [-0.5, 0.5) (no denormals, no NaN) from an xorshift generator whose state
   * {@code state[0]} is advanced, so successive calls give different models.
   */
  static ModelWeights random(List<TensorSpec> specs, int[] state) {
    List<Tensor> tensors = new ArrayList<>(specs.size());
    int s = state[0];
    for (TensorSpec spec : specs) {
      float[] values = new float[spec.size()];
      for (int i = 0; i < values.length; i++) {
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        values[i] = (s & 0xffff) * (1f / 65536) - 0.5f;
      }
      tensors.add(Tensor.wrap(spec, values));
    }
    state[0] = s;
    return ModelWeights.of(tensors);
  }
}
