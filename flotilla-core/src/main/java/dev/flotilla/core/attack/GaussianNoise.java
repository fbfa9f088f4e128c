package dev.flotilla.core.attack;

import dev.flotilla.core.tensor.ModelWeights;
import java.util.Random;

/**
 * Gaussian noise: the client sends {@code trained + N(0, std²)}, an independent draw per coordinate (the Gaussian
 * attack of Blanchard et al., "Machine Learning with Adversaries: Byzantine Tolerant Gradient Descent", NeurIPS
 * 2017). The noise is drawn from the seed {@link ByzantineMod} derives from the client and round, so a simulation
 * sends the same noise every time it runs.
 *
 * @param std standard deviation of the noise, in the units of the parameters; positive and finite
 */
public record GaussianNoise(double std) implements Attack {
  public GaussianNoise {
    if (!(std > 0) || !Double.isFinite(std)) {
      throw new IllegalArgumentException("attack 'gaussian': STD must be positive and finite, got " + std);
    }
  }

  @Override
  public String spec() {
    return "gaussian:" + std;
  }

  @Override
  public ModelWeights poison(ModelWeights global, ModelWeights trained, long seed) {
    Random random = new Random(seed);
    return Elementwise.combine(global, trained, (g, t) -> (float) (t + std * random.nextGaussian()));
  }
}
