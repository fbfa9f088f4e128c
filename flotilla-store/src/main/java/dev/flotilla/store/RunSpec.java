package dev.flotilla.store;

import java.util.Objects;

/**
 * What a run was started with, as far as a resume must match it.
 *
 * @param description the strategy and its options, as the command line describes them (a resume with another
 *                    strategy is refused)
 * @param model       the model's name
 * @param rounds      the rounds the run was started for (model versions, for an asynchronous run)
 * @param seed        the seed of the run
 * @param workflow    {@link #SYNC} for a synchronous run, or {@code async} followed by the asynchronous settings a
 *                    resume must match, such as {@code async buffer 10, concurrency 20, constant, max staleness 10}
 */
public record RunSpec(String description, String model, int rounds, long seed, String workflow) {
  /** The workflow of a synchronous run, and of every run stored before runs recorded their workflow. */
  public static final String SYNC = "sync";

  public RunSpec {
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(model, "model");
    if (rounds < 0) {
      throw new IllegalArgumentException("rounds must be >= 0, got " + rounds);
    }
    Objects.requireNonNull(workflow, "workflow");
    if (workflow.isBlank()) {
      throw new IllegalArgumentException("workflow must not be blank");
    }
  }

  /** A synchronous run. */
  public RunSpec(String description, String model, int rounds, long seed) {
    this(description, model, rounds, seed, SYNC);
  }

  /** Whether the run is synchronous. */
  public boolean isSync() {
    return SYNC.equals(workflow);
  }
}
