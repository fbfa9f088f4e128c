package dev.flotilla.core.privacy;

import dev.flotilla.core.aggregate.UpdateValidator;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The L2 norm of an update (a trained model minus the global model it started from) and its clipping to a norm
 * {@code C}. The norm is computed in double precision over the float32 values, in the same way everywhere (client mod,
 * server check, aggregation), so that a model clipped by a client passes the server's check exactly.
 *
 * <p>Pure functions; inputs are never modified.
 */
public final class UpdateClipping {
  private UpdateClipping() {}

  /**
   * {@code ‖model − global‖₂}.
   *
   * @throws IllegalArgumentException naming the tensor if the specs differ
   */
  public static double norm(ModelWeights model, ModelWeights global) {
    UpdateValidator.requireSpecs(global.specs(), model);
    double sum = 0;
    for (int i = 0; i < global.count(); i++) {
      FloatBuffer x = model.get(i).buffer();
      FloatBuffer g = global.get(i).buffer();
      for (int j = 0; j < g.limit(); j++) {
        double d = (double) x.get(j) - g.get(j);
        sum += d * d;
      }
    }
    return Math.sqrt(sum);
  }

  /**
   * {@code model} itself if its update has norm at most {@code clip}; otherwise {@code global + s·(model − global)}
   * in float32, with {@code s} chosen so that {@link #norm} of the result is at most {@code clip} (the scale is
   * {@code clip/norm}, lowered a little further if float32 rounding pushed the norm over).
   *
   * @throws IllegalArgumentException if {@code clip} is not positive, or naming the tensor if the specs differ
   */
  public static ModelWeights clip(ModelWeights model, ModelWeights global, double clip) {
    if (!(clip > 0)) {
      throw new IllegalArgumentException("clipping norm must be positive, got " + clip);
    }
    double norm = norm(model, global);
    if (norm <= clip) {
      return model;
    }
    double scale = clip / norm;
    while (true) {
      ModelWeights clipped = scaled(model, global, scale);
      double after = norm(clipped, global);
      if (after <= clip) {
        return clipped;
      }
      scale *= clip / after * (1 - 1e-7);
    }
  }

  private static ModelWeights scaled(ModelWeights model, ModelWeights global, double scale) {
    List<Tensor> out = new ArrayList<>(global.count());
    for (int i = 0; i < global.count(); i++) {
      FloatBuffer x = model.get(i).buffer();
      FloatBuffer g = global.get(i).buffer();
      float[] v = new float[g.limit()];
      for (int j = 0; j < v.length; j++) {
        v[j] = (float) (g.get(j) + scale * ((double) x.get(j) - g.get(j)));
      }
      out.add(Tensor.wrap(global.get(i).spec(), v));
    }
    return ModelWeights.of(out);
  }
}
