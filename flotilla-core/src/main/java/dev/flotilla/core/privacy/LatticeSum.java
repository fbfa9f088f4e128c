package dev.flotilla.core.privacy;

import dev.flotilla.core.aggregate.UpdateValidator;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The exact sum of clipped updates on the grid {@code γℤ} (integers, no rounding error), to which discrete Gaussian
 * noise is added before anything returns to floating point: the aggregation half of {@link GridGaussian}. Updates are
 * folded one at a time, so memory is one long per parameter however many are added.
 *
 * <p>Not thread-safe.
 */
public final class LatticeSum {
  private final List<TensorSpec> specs;
  private final double granularity;
  private final long[][] sums;
  private int count;

  /** An empty sum over tensors of {@code specs}, on the grid of step {@code granularity}. */
  public LatticeSum(List<TensorSpec> specs, double granularity) {
    if (!(granularity > 0)) {
      throw new IllegalArgumentException("granularity must be positive, got " + granularity);
    }
    this.specs = List.copyOf(specs);
    this.granularity = granularity;
    this.sums = new long[specs.size()][];
    for (int i = 0; i < sums.length; i++) {
      sums[i] = new long[specs.get(i).size()];
    }
  }

  /**
   * Adds the update {@code model − global}, scaled down to L2 norm {@code clip} if it is longer, each coordinate
   * rounded to the nearest grid point.
   *
   * @return the update's norm before clipping
   * @throws IllegalArgumentException naming the tensor if the specs differ from this sum's
   */
  public double add(ModelWeights model, ModelWeights global, double clip) {
    UpdateValidator.requireSpecs(specs, model);
    UpdateValidator.requireSpecs(specs, global);
    double norm = UpdateClipping.norm(model, global);
    double scale = (norm > clip ? clip / norm : 1) / granularity;
    for (int i = 0; i < sums.length; i++) {
      FloatBuffer x = model.get(i).buffer();
      FloatBuffer g = global.get(i).buffer();
      long[] s = sums[i];
      for (int j = 0; j < s.length; j++) {
        s[j] += Math.round(scale * ((double) x.get(j) - g.get(j)));
      }
    }
    count++;
    return norm;
  }

  /** Adds a discrete Gaussian sample of scale {@code sigma} (grid units) to every coordinate. */
  public void addNoise(double sigma, RandomBits bits) {
    for (long[] s : sums) {
      for (int j = 0; j < s.length; j++) {
        s[j] += DiscreteGaussian.sample(sigma, bits);
      }
    }
  }

  /** Updates added so far. */
  public int count() {
    return count;
  }

  /** {@code global + γ·sum / divisor}, in float32: the mean update applied to the global model. */
  public ModelWeights applyMean(ModelWeights global, double divisor) {
    if (!(divisor > 0)) {
      throw new IllegalArgumentException("divisor must be positive, got " + divisor);
    }
    UpdateValidator.requireSpecs(specs, global);
    double step = granularity / divisor;
    List<Tensor> out = new ArrayList<>(sums.length);
    for (int i = 0; i < sums.length; i++) {
      FloatBuffer g = global.get(i).buffer();
      long[] s = sums[i];
      float[] v = new float[s.length];
      for (int j = 0; j < v.length; j++) {
        v[j] = (float) (g.get(j) + step * s[j]);
      }
      out.add(Tensor.wrap(specs.get(i), v));
    }
    return ModelWeights.of(out);
  }
}
