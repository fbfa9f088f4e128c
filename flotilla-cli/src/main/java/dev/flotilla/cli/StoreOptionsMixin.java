package dev.flotilla.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where runs are stored: {@code --state-dir} and {@code --db}, shared by {@code server}, {@code runs} and {@code export}. */
final class StoreOptionsMixin {
  /** The state folder when none is given. */
  static final Path DEFAULT_STATE_DIR = Path.of("flotilla-state");

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "Folder of the run store: its embedded database (unless --db) and the checkpoint files"
          + " (default: flotilla-state).")
  Path stateDir;

  @Option(names = "--db", paramLabel = "JDBC_URL",
      description = "Keep runs in this database instead of the embedded one, e.g."
          + " jdbc:postgresql://127.0.0.1:5432/flotilla?user=flotilla&password=secret; checkpoint files still go"
          + " to --state-dir.")
  String db;

  /** Whether either option was given. */
  boolean given() {
    return stateDir != null || db != null;
  }

  Path stateDirOrDefault() {
    return stateDir != null ? stateDir : DEFAULT_STATE_DIR;
  }
}
