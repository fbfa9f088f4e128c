package dev.flotilla.core.attack;

import dev.flotilla.core.tensor.ModelWeights;

/**
 * Sign flipping: the client sends its update negated, {@code global - (trained - global)}, pushing the model away
 * from where honest training leads (as in Damaskinos et al., "AGGREGATHOR", 2019, and most robust-aggregation
 * benchmarks since).
 */
public record SignFlip() implements Attack {
  @Override
  public String spec() {
    return "signflip";
  }

  @Override
  public ModelWeights poison(ModelWeights global, ModelWeights trained, long seed) {
    return Elementwise.combine(global, trained, (g, t) -> g - (t - g));
  }
}
