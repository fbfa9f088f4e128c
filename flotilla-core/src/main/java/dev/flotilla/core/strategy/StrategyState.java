package dev.flotilla.core.strategy;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.tensor.ModelWeights;
import java.util.Objects;

/**
 * What a strategy must remember between rounds (a server optimiser's moments, momentum, a step count), as values
 * that a checkpoint can store: arrays and scalars. A strategy restored from the state it saved makes the same next
 * rounds as the strategy that saved it.
 *
 * @param scalars named scalar values
 * @param arrays  named arrays
 */
public record StrategyState(Config scalars, ModelWeights arrays) {
  private static final StrategyState EMPTY = new StrategyState(Config.empty(), ModelWeights.empty());

  public StrategyState {
    Objects.requireNonNull(scalars, "scalars");
    Objects.requireNonNull(arrays, "arrays");
  }

  /** No state: what a strategy that holds configuration only saves. */
  public static StrategyState empty() {
    return EMPTY;
  }

  /** Whether there is nothing in it. */
  public boolean isEmpty() {
    return scalars.values().isEmpty() && arrays.isEmpty();
  }
}
