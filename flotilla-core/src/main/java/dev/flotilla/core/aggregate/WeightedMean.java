package dev.flotilla.core.aggregate;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The weighted mean {@code Σ wₖ xₖ / Σ wₖ}, folded in one pass per update: the core of FedAvg (McMahan et al.,
 * "Communication-Efficient Learning of Deep Networks from Decentralized Data", 2017) with weights = examples.
 *
 * <p>Weights are normalised by the first weight seen so that the float32 accumulators stay near the scale of the
 * parameters whatever the example counts are.
 *
 * <p>Aggregation is memory-bound, so the accumulators are touched as few times as possible: the first update is
 * copied in (its normalised weight is exactly 1) instead of added to zeros, and {@link #result()} divides the
 * accumulators in place and hands them to the result instead of allocating a copy. That saves one model-sized
 * allocation (peak memory is the accumulators alone) and about 10% of the time at K = 10, P = 1M (BENCHMARKS.md,
 * W2). In exchange, once {@link #result()} has been called the mean is final: further calls return the same result
 * and {@link #fold} fails.
 */
public final class WeightedMean implements Aggregator {
  private final List<TensorSpec> specs;
  private float[][] acc;
  private double totalWeight;
  private double scale = Double.NaN;
  private int count;
  private ModelWeights result;

  /** An empty mean over tensors of {@code specs}; accumulators are allocated by the first {@link #fold}. */
  public WeightedMean(List<TensorSpec> specs) {
    this.specs = List.copyOf(specs);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalStateException if {@link #result()} was already called
   */
  @Override
  public void fold(ModelWeights update, double weight) {
    if (!(weight > 0) || Double.isInfinite(weight)) {
      throw new IllegalArgumentException("weight must be positive and finite, got " + weight);
    }
    UpdateValidator.requireSpecs(specs, update);
    if (result != null) {
      throw new IllegalStateException("this mean already produced its result; fold into a new WeightedMean");
    }
    if (acc == null) {
      scale = weight;
      acc = new float[specs.size()][];
      for (int i = 0; i < acc.length; i++) {
        acc[i] = update.get(i).toArray();
      }
      totalWeight = 1;
    } else {
      float w = (float) (weight / scale);
      for (int i = 0; i < acc.length; i++) {
        update.get(i).addScaledTo(acc[i], w);
      }
      totalWeight += w;
    }
    count++;
  }

  @Override
  public int count() {
    return count;
  }

  /** Sum of the weights folded so far. */
  public double totalWeight() {
    return Double.isNaN(scale) ? 0 : totalWeight * scale;
  }

  /**
   * {@inheritDoc} Calling it again returns the same result.
   */
  @Override
  public ModelWeights result() {
    if (count == 0) {
      throw new FlotillaException("no update was folded, so there is no mean");
    }
    if (result == null) {
      float inv = (float) (1.0 / totalWeight);
      List<Tensor> out = new ArrayList<>(acc.length);
      for (int i = 0; i < acc.length; i++) {
        float[] a = acc[i];
        for (int j = 0; j < a.length; j++) {
          a[j] *= inv;
        }
        out.add(Tensor.wrap(specs.get(i), a));
      }
      acc = null;
      result = ModelWeights.of(out);
    }
    return result;
  }
}
