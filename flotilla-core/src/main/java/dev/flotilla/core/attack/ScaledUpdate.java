package dev.flotilla.core.attack;

import dev.flotilla.core.tensor.ModelWeights;

/**
 * Update scaling: the client sends {@code global + factor * (trained - global)}, so that a plain mean lets one
 * client outweigh many (model replacement: Bagdasaryan et al., "How To Backdoor Federated Learning", AISTATS 2020).
 *
 * @param factor how much the update is multiplied by; any finite number
 */
public record ScaledUpdate(double factor) implements Attack {
  public ScaledUpdate {
    if (!Double.isFinite(factor)) {
      throw new IllegalArgumentException("attack 'scale': FACTOR must be finite, got " + factor);
    }
  }

  @Override
  public String spec() {
    return "scale:" + factor;
  }

  @Override
  public ModelWeights poison(ModelWeights global, ModelWeights trained, long seed) {
    return Elementwise.combine(global, trained, (g, t) -> (float) (g + factor * ((double) t - g)));
  }
}
