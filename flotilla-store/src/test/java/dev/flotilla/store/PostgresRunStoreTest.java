package dev.flotilla.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

  @Test
  void theStoreIsOnPostgresWithEveryMigrationApplied() throws Exception {
    try (RunStore store = open(stateDir);
        Connection c = DriverManager.getConnection(PostgresForTests.url())) {
      assertThat(c.getMetaData().getDatabaseProductName()).isEqualTo("PostgreSQL");
      List<String> columns = new ArrayList<>();
      try (ResultSet r = c.getMetaData().getColumns(null, null, "flotilla_runs", null)) {
        while (r.next()) {
          columns.add(r.getString("COLUMN_NAME"));
        }
      }
      assertThat(columns).contains("id", "status", "workflow", "kind", "settings");
      List<String> clientStateColumns = new ArrayList<>();
      try (ResultSet r = c.getMetaData().getColumns(null, null, "flotilla_client_states", null)) {
        while (r.next()) {
          clientStateColumns.add(r.getString("COLUMN_NAME"));
        }
      }
      assertThat(clientStateColumns).as("V4").contains("client_id", "round_number", "scalars", "arrays_file");
    }
  }
}
