package dev.flotilla.cli;

import dev.flotilla.store.RunStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opening an existing run store for {@code runs} and {@code export}, which must not create one. */
final class StoredRuns {
  private StoredRuns() {}

  /**
   * The store of {@code options}.
   *
   * @throws IllegalArgumentException if there is no embedded store in the state folder (and no {@code --db})
   */
  static RunStore open(StoreOptionsMixin options) throws IOException {
    Path dir = options.stateDirOrDefault();
    if (options.db == null && !Files.exists(dir.resolve(RunStore.EMBEDDED_NAME + ".mv.db"))) {
      throw new IllegalArgumentException("there is no run store in " + dir + " (no " + RunStore.EMBEDDED_NAME
          + ".mv.db); a server stores its runs with --state-dir " + dir);
    }
    return RunStore.open(dir, options.db);
  }

  static String where(StoreOptionsMixin options) {
    return options.db != null ? options.db.replaceAll("(?i)(password=)[^&;]*", "$1***")
        : options.stateDirOrDefault().toString();
  }
}
