package dev.flotilla.store;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store on a real PostgreSQL server, found through {@value PostgresForTests#URL_VARIABLE} ({@code .ci/run} starts
 * one); skipped with a message when that variable is unset, except on CI, where it must be set.
 */
class PostgresRunStoreTest extends RunStoreContract {
  @BeforeAll
  static void needsPostgres() {
    PostgresForTests.assumeAvailable();
  }

  @Override
  RunStore open(Path stateDir) throws Exception {
    return RunStore.open(stateDir, PostgresForTests.url());
  }
}
