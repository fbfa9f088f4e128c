package dev.flotilla.core.aggregate;

import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/** Applies a reduction to every coordinate of several models of the same specs: the loop of the robust means. */
final class CoordinateWise {
  /** Reduces the values of one coordinate, one per model, to one value; it may reorder {@code values}. */
  interface Reduction {
    float apply(float[] values);
  }

  private CoordinateWise() {}

  /**
   * The model whose every value is {@code reduction} of the corresponding values of {@code models}.
   *
   * @throws IllegalArgumentException if there are no models or their specs differ (naming the tensor)
   */
  static ModelWeights reduce(List<ModelWeights> models, Reduction reduction) {
    if (models.isEmpty()) {
      throw new IllegalArgumentException("no models to aggregate");
    }
    List<TensorSpec> specs = models.get(0).specs();
    for (ModelWeights model : models) {
      UpdateValidator.requireSpecs(specs, model);
    }
    int n = models.size();
    float[] values = new float[n];
    FloatBuffer[] columns = new FloatBuffer[n];
    List<Tensor> out = new ArrayList<>(specs.size());
    for (int t = 0; t < specs.size(); t++) {
      for (int k = 0; k < n; k++) {
        columns[k] = models.get(k).get(t).buffer();
      }
      float[] result = new float[specs.get(t).size()];
      for (int j = 0; j < result.length; j++) {
        for (int k = 0; k < n; k++) {
          values[k] = columns[k].get(j);
        }
        result[j] = reduction.apply(values);
      }
      out.add(Tensor.wrap(specs.get(t), result));
    }
    return ModelWeights.of(out);
  }
}
