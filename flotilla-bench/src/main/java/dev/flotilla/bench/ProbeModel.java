package dev.flotilla.bench;

import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * A float32 model whose every value is a function of its tensor and position, so that a receiver can check any
 * element without holding a copy of the model: value {@code j} of tensor {@code t} is uniform in [-1, 1), with 24
 * random bits (exact in float32), from a SplitMix64 hash of {@code (seed, t, j)}.
 */
final class ProbeModel {
  /** Elements checked per tensor by {@link #spotCheck}, spread evenly over it plus its first and last. */
  private static final int PROBES = 4096;

  private ProbeModel() {}

  /** {@code tensors} 1-D tensors of {@code elementsEach} float32 values. */
  static ModelWeights build(long seed, int tensors, int elementsEach) {
    List<Tensor> out = new ArrayList<>(tensors);
    for (int t = 0; t < tensors; t++) {
      float[] v = new float[elementsEach];
      for (int j = 0; j < v.length; j++) {
        v[j] = value(seed, t, j);
      }
      out.add(Tensor.wrap(new TensorSpec("layer" + t + ".weight", new int[] {elementsEach}), v));
    }
    return ModelWeights.of(out);
  }

  /**
   * Null if {@code model} has {@code tensors} tensors of {@code elementsEach} values and its probed elements equal
   * the model built from {@code seed}; otherwise what differs.
   */
  static String spotCheck(ModelWeights model, long seed, int tensors, int elementsEach) {
    if (model.count() != tensors) {
      return "expected " + tensors + " tensors, got " + model.count();
    }
    for (int t = 0; t < tensors; t++) {
      Tensor tensor = model.get(t);
      if (tensor.size() != elementsEach) {
        return "tensor " + t + " has " + tensor.size() + " elements, expected " + elementsEach;
      }
      long step = Math.max(1, elementsEach / PROBES);
      for (long j = 0; j <= elementsEach; j += step) {
        int at = (int) Math.min(j, elementsEach - 1L);
        if (Float.floatToRawIntBits(tensor.get(at)) != Float.floatToRawIntBits(value(seed, t, at))) {
          return "tensor " + t + "[" + at + "] = " + tensor.get(at) + ", expected " + value(seed, t, at);
        }
      }
    }
    return null;
  }

  static float value(long seed, int tensor, int index) {
    long z = seed + 0x9E3779B97F4A7C15L * (((long) tensor << 32) + index + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z ^= z >>> 31;
    return ((int) (z >>> 40) - (1 << 23)) * 0x1p-23f;
  }
}
