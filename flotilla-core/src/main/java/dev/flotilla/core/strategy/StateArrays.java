package dev.flotilla.core.strategy;

import dev.flotilla.core.aggregate.UpdateValidator;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Packs the per-parameter buffers of a server optimiser into the one {@link ModelWeights} of a
 * {@link StrategyState}: buffer {@code m} of tensor {@code conv1.weight} is stored as {@code m/conv1.weight}.
 */
final class StateArrays {
  /** The scalar naming the strategy that saved a state, so that a state is not restored into another kind. */
  static final String KIND = "strategy";

  private StateArrays() {}

  /** {@code buffer}'s tensors renamed {@code prefix/name}. */
  static List<Tensor> prefixed(String prefix, ModelWeights buffer) {
    List<Tensor> out = new ArrayList<>(buffer.count());
    for (Tensor t : buffer.tensors()) {
      out.add(t.renamed(prefix + "/" + t.name()));
    }
    return out;
  }

  /**
   * The tensors of {@code arrays} called {@code prefix/…}, with the prefix removed, in order.
   *
   * @throws IllegalArgumentException if there are none
   */
  static ModelWeights unprefixed(String kind, String prefix, ModelWeights arrays) {
    List<Tensor> out = new ArrayList<>();
    String start = prefix + "/";
    for (Tensor t : arrays.tensors()) {
      if (t.name().startsWith(start)) {
        out.add(t.renamed(t.name().substring(start.length())));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(kind + " state has no '" + start + "…' arrays; it has " + arrays.names());
    }
    return ModelWeights.of(out);
  }

  /** Throws unless {@code state} was saved by a strategy of kind {@code kind}. */
  static void requireKind(String kind, StrategyState state) {
    String saved = state.scalars().getString(KIND, "(unnamed)");
    if (!kind.equals(saved)) {
      throw new IllegalArgumentException(kind + " cannot restore a state saved by " + saved);
    }
  }

  /** Throws unless {@code state} holds exactly {@code known} arrays, those its strategy recognised. */
  static void requireOnly(String kind, StrategyState state, int known) {
    if (state.arrays().count() != known) {
      throw new IllegalArgumentException(kind + " state has " + state.arrays().count() + " arrays but only " + known
          + " are its own: " + state.arrays().names());
    }
  }

  /** Throws naming the tensor unless a buffer restored or kept from earlier rounds fits the current model. */
  static void requireFits(String kind, List<TensorSpec> model, ModelWeights buffer) {
    UpdateValidator.problem(model, buffer).ifPresent(p -> {
      throw new IllegalArgumentException(kind + " state does not fit the model: " + p);
    });
  }
}
