package dev.flotilla.core.strategy;

import dev.flotilla.core.random.Seeds;
import java.util.Random;

/**
 * Per-round state handed to a strategy, so that strategies hold configuration only.
 *
 * @param round       1-based round number (0 for the evaluation before the first round)
 * @param totalRounds rounds in the run
 * @param seed        the run's seed; {@link #random()} derives this round's generator from it
 */
public record RoundContext(int round, int totalRounds, long seed) {
  public RoundContext {
    if (round < 0 || totalRounds < 0) {
      throw new IllegalArgumentException("round " + round + " of " + totalRounds + " is not valid");
    }
  }

  /** A generator that is the same for the same seed and round, and differs between rounds. */
  public Random random() {
    return new Random(Seeds.mix(seed + Seeds.GOLDEN_GAMMA * (round + 1)));
  }
}
