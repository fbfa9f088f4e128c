package dev.flotilla.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.FlotillaException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The store on its embedded default: an H2 file in the state folder, nothing to set up. */
class EmbeddedRunStoreTest extends RunStoreContract {
  @Override
  RunStore open(Path stateDir) throws Exception {
    return RunStore.open(stateDir, null);
  }

  @Test
  void theDatabaseIsAFileInTheStateFolder() throws Exception {
    try (RunStore store = open(stateDir)) {
      store.create("first", new RunSpec("fedavg", "mlp", 1, 1));
    }
    assertThat(Files.exists(stateDir.resolve(RunStore.EMBEDDED_NAME + ".mv.db"))).isTrue();
  }

  @Test
  void aStoreMadeBeforeRunsRecordedTheirWorkflowIsMigratedAndItsRunsAreSynchronous() throws Exception {
    // the schema of the first release, with a run in it, as an older Flotilla left it
    String url = RunStore.embeddedUrl(stateDir);
    org.flywaydb.core.Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration")
        .target("1").load().migrate();
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
        java.sql.Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO flotilla_runs (id, status, description, model, rounds, seed, last_round,"
          + " created_at, updated_at) VALUES ('old', 'FAILED', 'fedadam', 'cnn', 5, 7, 2, CURRENT_TIMESTAMP,"
          + " CURRENT_TIMESTAMP)");
    }
    try (RunStore store = open(stateDir)) {
      StoredRun old = store.find("old").orElseThrow();
      assertThat(old.spec()).isEqualTo(new RunSpec("fedadam", "cnn", 5, 7));
      assertThat(old.spec().isSync()).isTrue();
      assertThat(old.lastRound()).hasValue(2);
    }
  }

  @Test
  void aStoreOpenInAnotherProcessIsNamedInTheError() throws Exception {
    try (RunStore store = open(stateDir)) {
      store.create("first", new RunSpec("fedavg", "mlp", 1, 1));
    }
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String javaCommand = ProcessHandle.current().info().command().orElse("java");
    // another JVM holds the database open until its standard input closes
    Process holder = new ProcessBuilder(javaCommand, "-cp", classpath, HoldStore.class.getName(), stateDir.toString())
        .redirectErrorStream(true).start();
    try {
      java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream()));
      for (String line = out.readLine(); line != null && !line.equals("open"); line = out.readLine()) {
        // the holder's log lines
      }
      assertThatThrownBy(() -> open(stateDir)).isInstanceOf(FlotillaException.class)
          .hasMessageContaining("is in use by another process").hasMessageContaining(stateDir.toString());
    } finally {
      holder.getOutputStream().close();
      holder.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
      holder.destroyForcibly();
    }
  }

  /** Opens the store of the folder in {@code args[0]}, says "open", and holds it until standard input closes. */
  public static final class HoldStore {
    public static void main(String[] args) throws Exception {
      try (RunStore store = RunStore.open(Path.of(args[0]), null)) {
        System.out.println("open");
        System.out.flush();
        System.in.read();
      }
    }
  }

  @Test
  void aBadUrlIsNamedInTheError() {
    assertThatThrownBy(() -> RunStore.open(stateDir, "postgresql://nowhere"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not start with jdbc:");
    assertThatThrownBy(() -> RunStore.open(stateDir, "jdbc:postgresql://127.0.0.1:1/x?user=u&password=secret"))
        .isInstanceOf(FlotillaException.class).hasMessageContaining("password=***")
        .hasMessageNotContaining("secret");
  }
}
