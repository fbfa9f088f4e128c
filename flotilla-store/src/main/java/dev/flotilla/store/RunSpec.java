package dev.flotilla.store;

import java.util.Objects;

/**
 * What a run was started with, as far as a resume must match it.
 *
 * @param description the strategy and its options, as the command line describes them (a resume with another
 *                    strategy is refused)
 * @param model       the model's name
 * @param rounds      the rounds the run was started for
 * @param seed        the seed of the run
 */
public record RunSpec(String description, String model, int rounds, long seed) {
  public RunSpec {
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(model, "model");
    if (rounds < 0) {
      throw new IllegalArgumentException("rounds must be >= 0, got " + rounds);
    }
  }
}
