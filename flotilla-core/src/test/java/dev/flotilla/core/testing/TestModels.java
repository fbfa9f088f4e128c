package dev.flotilla.core.testing;

import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Small models for tests, with values that are easy to reason about or reproducible from a seed. */
public final class TestModels {
  private TestModels() {}

  /** A model of two tensors, {@code w[2, 3]} and {@code b[3]}, holding 0.1, 0.2, … in order. */
  public static ModelWeights small() {
    float[] w = new float[6];
    float[] b = new float[3];
    for (int i = 0; i < w.length; i++) {
      w[i] = 0.1f * (i + 1);
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = -0.5f * (i + 1);
    }
    return ModelWeights.of(List.of(Tensor.of("w", new int[] {2, 3}, w), Tensor.of("b", new int[] {3}, b)));
  }

  /** A model with the given specs, filled with Gaussian values drawn from {@code seed}. */
  public static ModelWeights random(List<TensorSpec> specs, long seed) {
    Random random = new Random(seed);
    List<Tensor> out = new ArrayList<>(specs.size());
    for (TensorSpec s : specs) {
      float[] v = new float[s.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) random.nextGaussian();
      }
      out.add(Tensor.wrap(s, v));
    }
    return ModelWeights.of(out);
  }

  /** {@code model} with {@code delta} added to every value. */
  public static ModelWeights plus(ModelWeights model, float delta) {
    List<Tensor> out = new ArrayList<>(model.count());
    for (Tensor t : model.tensors()) {
      float[] v = t.toArray();
      for (int i = 0; i < v.length; i++) {
        v[i] += delta;
      }
      out.add(Tensor.wrap(t.spec(), v));
    }
    return ModelWeights.of(out);
  }

  /** {@code model} with value {@code index} of tensor {@code tensor} replaced by {@code value}. */
  public static ModelWeights withValue(ModelWeights model, int tensor, int index, float value) {
    List<Tensor> out = new ArrayList<>(model.tensors());
    Tensor t = out.get(tensor);
    float[] v = t.toArray();
    v[index] = value;
    out.set(tensor, Tensor.wrap(t.spec(), v));
    return ModelWeights.of(out);
  }

  /** A copy of {@code model} that owns its arrays, so that later changes to the original do not reach it. */
  public static ModelWeights copy(ModelWeights model) {
    List<Tensor> out = new ArrayList<>(model.count());
    for (Tensor t : model.tensors()) {
      out.add(Tensor.wrap(t.spec(), t.toArray()));
    }
    return ModelWeights.of(out);
  }
}
