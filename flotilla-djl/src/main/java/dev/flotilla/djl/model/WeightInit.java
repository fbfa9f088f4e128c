package dev.flotilla.djl.model;

import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * PyTorch's default initialisation of {@code Conv2d} and {@code Linear} layers, done in Java from a seed so that it
 * is the same on every engine, platform and JDK: each weight is drawn from U(-b, b) with {@code b = 1 / sqrt(fanIn)}
 * (Kaiming-uniform with {@code a = sqrt(5)}), and each bias from U(-b, b) with the fan-in of its layer's weight.
 * The fan-in of a weight {@code [out, in, ...]} is the product of all dimensions but the first.
 */
final class WeightInit {
  private WeightInit() {}

  /**
   * Weights for {@code specs}: tensors named {@code X.weight} and {@code X.bias}, the weight of each layer before
   * its bias. One {@link Random} seeded with {@code seed} draws all values in spec order.
   */
  static ModelWeights pytorchDefault(List<TensorSpec> specs, long seed) {
    Random random = new Random(seed);
    List<Tensor> tensors = new ArrayList<>(specs.size());
    for (TensorSpec spec : specs) {
      float bound = (float) (1.0 / Math.sqrt(fanIn(spec, specs)));
      float[] values = new float[spec.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = (2f * random.nextFloat() - 1f) * bound;
      }
      tensors.add(Tensor.wrap(spec, values));
    }
    return ModelWeights.of(tensors);
  }

  private static long fanIn(TensorSpec spec, List<TensorSpec> specs) {
    String name = spec.name();
    TensorSpec weight = spec;
    if (name.endsWith(".bias")) {
      String weightName = name.substring(0, name.length() - ".bias".length()) + ".weight";
      weight = specs.stream().filter(s -> s.name().equals(weightName)).findFirst().orElseThrow(
          () -> new IllegalArgumentException("bias '" + name + "' has no weight '" + weightName + "'"));
    } else if (!name.endsWith(".weight")) {
      throw new IllegalArgumentException("cannot initialise '" + name + "': expected a name ending in .weight or .bias");
    }
    int[] shape = weight.shape();
    if (shape.length < 2) {
      throw new IllegalArgumentException("weight " + weight + " needs at least 2 dimensions [out, in, ...]");
    }
    long fanIn = 1;
    for (int i = 1; i < shape.length; i++) {
      fanIn *= shape[i];
    }
    return fanIn;
  }
}
