package dev.flotilla.bench.w3;

import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The model of workload W3 (WORKLOADS.md): P float32 parameters in {@value #TENSORS} one-dimensional tensors of P/4
 * elements, standard normal values from a generator seeded with {@value #SEED}, and the workload's check, the largest
 * absolute deviation of the final model from {@code initial + offset} computed in double.
 *
 * <p>Flower's side draws its values from NumPy's {@code default_rng(0)}; the values differ, the distribution and the
 * arithmetic the check exercises do not.
 */
public final class W3Model {
  /** Number of tensors the parameters are split into. */
  public static final int TENSORS = 4;
  /** Seed of the generator of the initial values. */
  public static final long SEED = 0;
  /** What each client adds to every element of the model it receives, each round. */
  public static final float DELTA = 0.001f;
  /** Largest absolute deviation from {@code initial + 6 × DELTA} the check accepts after the workload's 6 rounds. */
  public static final double TOLERANCE = 1e-5;
  /** The workload's number of rounds, for which {@link #TOLERANCE} is set. */
  public static final int ROUNDS = 6;

  private W3Model() {}

  /**
   * Largest absolute deviation from {@code initial + rounds × DELTA} that the check accepts after {@code rounds}
   * rounds: {@link #TOLERANCE} up to the workload's {@value #ROUNDS}, and in proportion beyond, since every round's
   * float32 addition rounds each element once more (a 50 × 1M run of 40 rounds deviates by 1.1e-5).
   */
  public static double tolerance(int rounds) {
    return TOLERANCE * Math.max(1.0, rounds / (double) ROUNDS);
  }

  /** The initial model of {@code parameters} parameters, a positive multiple of {@value #TENSORS}. */
  public static ModelWeights initial(long parameters) {
    checkParameters(parameters);
    int perTensor = (int) (parameters / TENSORS);
    SplittableRandom random = new SplittableRandom(SEED);
    List<Tensor> tensors = new ArrayList<>(TENSORS);
    for (int t = 0; t < TENSORS; t++) {
      float[] values = new float[perTensor];
      for (int i = 0; i < perTensor; i++) {
        values[i] = (float) random.nextGaussian();
      }
      tensors.add(Tensor.wrap(new TensorSpec("layer" + t, new int[] {perTensor}), values));
    }
    return ModelWeights.of(tensors);
  }
  /**
   * Checks that {@code parameters} can be W3's model.
   *
   * @throws IllegalArgumentException unless it is a positive multiple of 4 with at most 2^31 - 9 per tensor
   */
  static void checkParameters(long parameters) {
    if (parameters <= 0 || parameters % TENSORS != 0 || parameters / TENSORS > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("P must be a positive multiple of " + TENSORS
          + " with at most 2^31 - 9 per tensor, got " + parameters);
    }
  }


  /**
   * The largest {@code |final[i] - (initial[i] + offset)|} over all elements, in double; infinite if the two models
   * do not have the same specs.
   */
  public static double maxAbsDeviation(ModelWeights finalModel, ModelWeights initial, double offset) {
    if (!finalModel.specs().equals(initial.specs())) {
      return Double.POSITIVE_INFINITY;
    }
    double max = 0;
    for (int t = 0; t < initial.count(); t++) {
      Tensor f = finalModel.get(t);
      Tensor i = initial.get(t);
      for (int j = 0; j < i.size(); j++) {
        double d = Math.abs((double) f.get(j) - ((double) i.get(j) + offset));
        if (!(d <= max)) {
          max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
        }
      }
    }
    return max;
  }
}
