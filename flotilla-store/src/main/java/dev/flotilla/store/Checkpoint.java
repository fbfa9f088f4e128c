package dev.flotilla.store;

import dev.flotilla.core.strategy.StrategyState;
import dev.flotilla.core.tensor.ModelWeights;
import java.util.Objects;

/**
 * What a run needs to go on after round {@code round}: the global model after it and the strategy's state.
 *
 * @param round the round after which it was taken
 * @param model the global model after that round
 * @param state the strategy's state after that round's aggregation
 */
public record Checkpoint(int round, ModelWeights model, StrategyState state) {
  public Checkpoint {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(state, "state");
  }
}
