package dev.flotilla.cli;

import dev.flotilla.store.RunSpec;
import java.io.IOException;
import java.util.function.Supplier;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Whether and how {@code server} and {@code simulate} store their run: where ({@link StoreOptionsMixin}), under
 * which name, whether to go on with a stored run, and how many checkpoints to keep.
 */
final class StoredRunOptionsMixin {
  @Mixin
  StoreOptionsMixin store;

  @Option(names = "--resume", description = "Go on with a stored run (--run-id, else the most recent unfinished run"
      + " of this command in --state-dir or --db) from its last completed round: same model, strategy state (for a"
      + " simulation, its clients' state too) and metrics history.")
  boolean resume;

  @Option(names = "--run-id", paramLabel = "NAME", description = "Name of the stored run (default: run-DATE-TIME)."
      + " Any of --state-dir, --db, --resume or --run-id stores the run after every round.")
  String runId;

  @Option(names = "--keep-checkpoints", paramLabel = "N", defaultValue = "2",
      description = "Keep the checkpoint files of a stored run's last N rounds, delete older ones; 0 keeps all"
          + " (default: ${DEFAULT-VALUE}). Every round's metrics stay.")
  int keepCheckpoints;

  /** Whether any option asks for the run to be stored. */
  boolean storing() {
    return store.given() || resume || runId != null;
  }

  /**
   * The run's store: opened (or resumed) for a run described by {@code spec} if {@link #storing()}, else
   * {@link RunPersistence#NONE}.
   *
   * @throws IOException if the store cannot be opened
   */
  RunPersistence open(Supplier<RunSpec> spec) throws IOException {
    return storing() ? RunPersistence.open(store, runId, resume, spec.get(), keepCheckpoints) : RunPersistence.NONE;
  }
}
