package dev.flotilla.djl.model;

import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * PyTorch's default initialisation of {@code Conv2d}, {@code Linear} and {@code BatchNorm2d} layers, done in Java
 * from a seed so that it is the same on every engine, platform and JDK. For a convolution or dense layer each weight
 * is drawn from U(-b, b) with {@code b = 1 / sqrt(fanIn)} (Kaiming-uniform with {@code a = sqrt(5)}), and each bias
 * from U(-b, b) with the fan-in of its layer's weight; the fan-in of a weight {@code [out, in, ...]} is the product
 * of all dimensions but the first. A normalisation layer starts as the identity: weight 1, bias 0, running mean 0,
 * running variance 1.
 */
final class WeightInit {
  private WeightInit() {}

  /**
   * Weights for {@code network}: tensors named {@code X.weight} and {@code X.bias}, and for the layers that its
   * {@link Network#normalizationPattern()} matches also {@code X.running_mean} and {@code X.running_var}. One
   * {@link Random} seeded with {@code seed} draws the random values in spec order; the constant tensors of
   * normalisation layers draw nothing, so adding such a layer leaves the draws of the other layers as they were.
   */
  static ModelWeights pytorchDefault(Network network, long seed) {
    List<TensorSpec> specs = network.specs();
    Pattern normalization = Pattern.compile(network.normalizationPattern());
    Random random = new Random(seed);
    List<Tensor> tensors = new ArrayList<>(specs.size());
    for (TensorSpec spec : specs) {
      float[] values = new float[spec.size()];
      if (normalization.matcher(spec.name()).matches()) {
        Arrays.fill(values, normalizationValue(spec.name()));
      } else {
        float bound = (float) (1.0 / Math.sqrt(fanIn(spec, specs)));
        for (int i = 0; i < values.length; i++) {
          values[i] = (2f * random.nextFloat() - 1f) * bound;
        }
      }
      tensors.add(Tensor.wrap(spec, values));
    }
    return ModelWeights.of(tensors);
  }

  private static float normalizationValue(String name) {
    if (name.endsWith(".weight") || name.endsWith(".running_var")) {
      return 1f;
    }
    if (name.endsWith(".bias") || name.endsWith(".running_mean")) {
      return 0f;
    }
    throw new IllegalArgumentException("cannot initialise normalisation tensor '" + name
        + "': expected a name ending in .weight, .bias, .running_mean or .running_var");
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
