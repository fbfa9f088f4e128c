package dev.flotilla.core.aggregate;

import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.List;
import java.util.Optional;

/** Checks that a client's weights fit the global model before they reach a strategy. */
public final class UpdateValidator {
  private UpdateValidator() {}

  /**
   * The reason {@code update} cannot be aggregated with a model of {@code specs}: a missing, extra or mis-shaped
   * tensor, or a NaN or infinite value. Empty if it is fine.
   */
  public static Optional<String> problem(List<TensorSpec> specs, ModelWeights update) {
    Optional<String> specProblem = specProblem(specs, update);
    if (specProblem.isPresent()) {
      return specProblem;
    }
    for (Tensor t : update.tensors()) {
      int bad = t.firstNonFinite();
      if (bad >= 0) {
        return Optional.of("tensor '" + t.name() + "' has a non-finite value (" + t.get(bad) + ") at index " + bad);
      }
    }
    return Optional.empty();
  }

  /** Throws {@link IllegalArgumentException} naming the first spec mismatch. */
  public static void requireSpecs(List<TensorSpec> specs, ModelWeights update) {
    specProblem(specs, update).ifPresent(p -> {
      throw new IllegalArgumentException(p);
    });
  }

  private static Optional<String> specProblem(List<TensorSpec> specs, ModelWeights update) {
    if (update.count() != specs.size()) {
      return Optional.of("expected " + specs.size() + " tensors " + specs + ", got " + update.count() + " "
          + update.specs());
    }
    for (int i = 0; i < specs.size(); i++) {
      TensorSpec want = specs.get(i);
      TensorSpec got = update.get(i).spec();
      if (!want.equals(got)) {
        return Optional.of("tensor " + i + " should be " + want + ", got " + got);
      }
    }
    return Optional.empty();
  }
}
