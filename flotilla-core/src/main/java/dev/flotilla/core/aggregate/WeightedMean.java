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
 */
public final class WeightedMean implements Aggregator {
  private final List<TensorSpec> specs;
  private final float[][] acc;
  private double totalWeight;
  private double scale = Double.NaN;
  private int count;

  public WeightedMean(List<TensorSpec> specs) {
    this.specs = List.copyOf(specs);
    this.acc = new float[specs.size()][];
    for (int i = 0; i < specs.size(); i++) {
      acc[i] = new float[specs.get(i).size()];
    }
  }

  @Override
  public void fold(ModelWeights update, double weight) {
    if (!(weight > 0) || Double.isInfinite(weight)) {
      throw new IllegalArgumentException("weight must be positive and finite, got " + weight);
    }
    UpdateValidator.requireSpecs(specs, update);
    if (Double.isNaN(scale)) {
      scale = weight;
    }
    float w = (float) (weight / scale);
    for (int i = 0; i < acc.length; i++) {
      update.get(i).addScaledTo(acc[i], w);
    }
    totalWeight += w;
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

  @Override
  public ModelWeights result() {
    if (count == 0) {
      throw new FlotillaException("no update was folded, so there is no mean");
    }
    float inv = (float) (1.0 / totalWeight);
    List<Tensor> out = new ArrayList<>(acc.length);
    for (int i = 0; i < acc.length; i++) {
      float[] a = acc[i];
      float[] r = new float[a.length];
      for (int j = 0; j < a.length; j++) {
        r[j] = a[j] * inv;
      }
      out.add(Tensor.wrap(specs.get(i), r));
    }
    return ModelWeights.of(out);
  }
}
