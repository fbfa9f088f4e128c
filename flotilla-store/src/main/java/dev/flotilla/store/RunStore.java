package dev.flotilla.store;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.client.ClientState;
import dev.flotilla.core.strategy.StrategyState;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.workflow.RoundRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs, their rounds, the clients seen, per-round metrics, strategy state, model checkpoints and a simulation's
 * virtual clients' states (kept incrementally: only those a round changed), kept through JDBC:
 * in an embedded H2 database in the state folder by default ({@code STATE_DIR/flotilla.mv.db}, nothing to set up),
 * or in any database whose URL is given, such as PostgreSQL ({@code jdbc:postgresql://host/db?user=u&password=p}).
 * The schema is created and migrated by Flyway from {@code db/migration} when the store opens. Checkpoint arrays are
 * files in the state folder ({@link Checkpoints}); the database holds where they are and their SHA-256.
 *
 * <p>A round is saved in one transaction, after its files are on disk: a crash before the commit leaves the run at
 * its previous round (a file of the unfinished attempt is replaced when the round is run again), a crash after it
 * leaves the round complete. So {@link #lastCheckpoint} always names complete files.
 *
 * <p>Thread-safe: calls are serialised on the one connection.
 */
public final class RunStore implements AutoCloseable {
  /** The embedded database's name inside the state folder (H2 adds {@code .mv.db}). */
  public static final String EMBEDDED_NAME = "flotilla";
  private static final Logger log = LoggerFactory.getLogger(RunStore.class);
  /** H2's code for "Database may be already in use": another process holds the file. */
  private static final int H2_DATABASE_IN_USE = 90020;

  private final Connection connection;
  private final Checkpoints checkpoints;
  private final String url;

  private RunStore(Connection connection, Checkpoints checkpoints, String url) {
    this.connection = connection;
    this.checkpoints = checkpoints;
    this.url = url;
  }

  /**
   * Opens the store of {@code stateDir} (created if missing): the embedded database there when {@code jdbcUrl} is
   * null, else the database at {@code jdbcUrl}, with checkpoint files in {@code stateDir} either way. Creates or
   * migrates the schema.
   *
   * @throws FlotillaException naming the database if it cannot be reached, is in use by another process, or its
   *     schema cannot be migrated
   * @throws IOException if the state folder cannot be created
   */
  public static RunStore open(Path stateDir, String jdbcUrl) throws IOException {
    Files.createDirectories(stateDir);
    String url = jdbcUrl != null ? jdbcUrl : embeddedUrl(stateDir);
    if (!url.startsWith("jdbc:")) {
      throw new IllegalArgumentException("database URL '" + url + "' does not start with jdbc:, e.g."
          + " jdbc:postgresql://127.0.0.1:5432/flotilla?user=flotilla");
    }
    try {
      Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration")
          .loggers("slf4j").load().migrate();
    } catch (FlywayException e) {
      throw inUse(e, stateDir).orElseGet(() ->
          new FlotillaException("cannot prepare the run store at " + redact(url) + ": " + rootMessage(e), e));
    }
    try {
      Connection connection = DriverManager.getConnection(url);
      connection.setAutoCommit(false);
      return new RunStore(connection, new Checkpoints(stateDir), url);
    } catch (SQLException e) {
      throw inUse(e, stateDir).orElseGet(() ->
          new FlotillaException("cannot open the run store at " + redact(url) + ": " + e.getMessage(), e));
    }
  }

  /** The error for an embedded database that another process has open (H2's error 90020), if {@code e} is that. */
  private static Optional<FlotillaException> inUse(Exception e, Path stateDir) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException sql && sql.getErrorCode() == H2_DATABASE_IN_USE) {
        return Optional.of(new FlotillaException("the run store in " + stateDir + " is in use by another process"
            + " (a running server?): the embedded database opens in one process at a time; try again once it has"
            + " stopped, or keep runs in PostgreSQL with --db", e));
      }
    }
    return Optional.empty();
  }

  /**
   * The URL of the embedded database of {@code stateDir}. Commits are written to the file at once
   * ({@code WRITE_DELAY=0}), so a process killed right after a round keeps that round.
   */
  public static String embeddedUrl(Path stateDir) {
    return "jdbc:h2:file:" + stateDir.toAbsolutePath().resolve(EMBEDDED_NAME) + ";WRITE_DELAY=0";
  }

  /** The store's checkpoint files. */
  public Checkpoints checkpoints() {
    return checkpoints;
  }

  /**
   * Records a new run {@code id}, status {@link RunStatus#RUNNING}.
   *
   * @throws IllegalArgumentException if the id is not a valid name or a run of that id exists
   */
  public synchronized StoredRun create(String id, RunSpec spec) {
    if (!Checkpoints.isValidRunId(id)) {
      throw new IllegalArgumentException("run id '" + id + "' must be 1 to 200 letters, digits, dots, dashes or"
          + " underscores, starting with a letter or digit");
    }
    if (find(id).isPresent()) {
      throw new IllegalArgumentException("a run '" + id + "' exists already; add --resume to go on with it");
    }
    Instant now = Instant.now();
    return inTransaction("create run " + id, () -> {
      try (PreparedStatement s = connection.prepareStatement("INSERT INTO flotilla_runs (id, status, description,"
          + " model, rounds, seed, last_round, created_at, updated_at, workflow, kind, settings)"
          + " VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)")) {
        s.setString(1, id);
        s.setString(2, RunStatus.RUNNING.name());
        s.setString(3, spec.description());
        s.setString(4, spec.model());
        s.setInt(5, spec.rounds());
        s.setLong(6, spec.seed());
        s.setTimestamp(7, Timestamp.from(now));
        s.setTimestamp(8, Timestamp.from(now));
        s.setString(9, spec.workflow());
        s.setString(10, spec.kind());
        s.setString(11, spec.settings());
        s.executeUpdate();
      }
      return new StoredRun(id, RunStatus.RUNNING, spec, OptionalInt.empty(), now, now);
    });
  }

  /** The run {@code id}, if stored. */
  public synchronized Optional<StoredRun> find(String id) {
    List<StoredRun> found = query("SELECT * FROM flotilla_runs WHERE id = ?", id);
    return found.stream().findFirst();
  }

  /** Every run, the most recently started first. */
  public synchronized List<StoredRun> list() {
    return query("SELECT * FROM flotilla_runs ORDER BY created_at DESC, id DESC");
  }

  /** The most recently started run that did not finish (running, killed or failed), if any. */
  public synchronized Optional<StoredRun> latestUnfinished() {
    return list().stream().filter(r -> r.status() != RunStatus.FINISHED).findFirst();
  }

  /**
   * Saves round {@code record.round()} of run {@code runId}: the model and the strategy's arrays as files first,
   * then in one transaction the round's record, the checkpoint, the clients seen and the run's last round.
   *
   * @param clientIds the clients connected at the end of the round
   * @throws FlotillaException if the files or the database cannot be written (which ends the run)
   */
  public synchronized void saveRound(String runId, RoundRecord record, ModelWeights model, StrategyState state,
      Collection<String> clientIds) {
    saveRound(runId, record, model, state, clientIds, 0);
  }

  /**
   * {@link #saveRound(String, RoundRecord, ModelWeights, StrategyState, Collection)}, then keeps the checkpoints of
   * the last {@code keepCheckpoints} rounds only (0: all): older checkpoints lose their row in the same transaction
   * and their files after it. The records of every round stay.
   */
  public synchronized void saveRound(String runId, RoundRecord record, ModelWeights model, StrategyState state,
      Collection<String> clientIds, int keepCheckpoints) {
    saveRound(runId, record, model, state, clientIds, keepCheckpoints, Map.of());
  }

  /**
   * {@link #saveRound(String, RoundRecord, ModelWeights, StrategyState, Collection, int)}, with the states of the
   * virtual clients whose state changed in the round ({@code changedClientStates}, by client id; a state that became
   * empty too) stored incrementally in the same transaction: a row per client, its arrays in one file for the round.
   * Clients left out keep their latest stored state, which {@link #clientStates} finds. With {@code keepCheckpoints},
   * a client's older states go once a later one is as old as the oldest checkpoint kept.
   */
  public synchronized void saveRound(String runId, RoundRecord record, ModelWeights model, StrategyState state,
      Collection<String> clientIds, int keepCheckpoints, Map<String, ClientState> changedClientStates) {
    if (keepCheckpoints < 0) {
      throw new IllegalArgumentException("checkpoints to keep must be >= 0 (0: all), got " + keepCheckpoints);
    }
    int round = record.round();
    // a stored round's files must never be overwritten (a later insert would be refused, the files already changed)
    boolean stored = inTransaction("look up round " + round + " of run " + runId, () -> {
      try (PreparedStatement s = connection.prepareStatement(
          "SELECT 1 FROM flotilla_rounds WHERE run_id = ? AND round_number = ?")) {
        s.setString(1, runId);
        s.setInt(2, round);
        try (ResultSet r = s.executeQuery()) {
          return r.next();
        }
      }
    });
    if (stored) {
      throw new FlotillaException("round " + round + " of run " + runId + " is already stored; its checkpoint is kept"
          + " as it was");
    }
    Checkpoints.StoredFile modelFile;
    Checkpoints.StoredFile stateFile = null;
    try {
      modelFile = checkpoints.write(runId, round, "model", model);
      if (!state.arrays().isEmpty()) {
        stateFile = checkpoints.write(runId, round, "state", state.arrays());
      }
    } catch (IOException e) {
      throw new FlotillaException("cannot write the checkpoint of round " + round + " of run " + runId + ": "
          + e.getMessage(), e);
    }
    Checkpoints.StoredFile stateArrays = stateFile;
    List<ClientStateRows.Encoded> clientStates = ClientStateRows.encode(changedClientStates);
    Checkpoints.StoredFile clientsFile = writeClientArrays(runId, round, clientStates);
    Instant now = Instant.now();
    List<String> obsolete = inTransaction("save round " + round + " of run " + runId, () -> {
      StoreRows.insertRound(connection, runId, record, now);
      try (PreparedStatement s = connection.prepareStatement("INSERT INTO flotilla_checkpoints (run_id,"
          + " round_number, model_file, model_sha256, state_file, state_sha256, state_scalars, bytes)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        s.setString(1, runId);
        s.setInt(2, round);
        s.setString(3, modelFile.relativePath());
        s.setString(4, modelFile.sha256());
        s.setString(5, stateArrays == null ? null : stateArrays.relativePath());
        s.setString(6, stateArrays == null ? null : stateArrays.sha256());
        s.setString(7, StateJson.config(state.scalars()));
        s.setLong(8, modelFile.bytes() + (stateArrays == null ? 0 : stateArrays.bytes()));
        s.executeUpdate();
      }
      for (String client : clientIds) {
        StoreRows.seen(connection, runId, client, round);
      }
      if (!clientStates.isEmpty()) {
        ClientStateRows.insert(connection, runId, round, clientStates, clientsFile);
      }
      try (PreparedStatement s = connection.prepareStatement(
          "UPDATE flotilla_runs SET last_round = ?, updated_at = ? WHERE id = ?")) {
        s.setInt(1, round);
        s.setTimestamp(2, Timestamp.from(now));
        s.setString(3, runId);
        if (s.executeUpdate() != 1) {
          throw new FlotillaException("there is no run '" + runId + "' to save round " + round + " to");
        }
      }
      if (keepCheckpoints == 0) {
        return List.<String>of();
      }
      List<String> files = new ArrayList<>(StoreRows.dropCheckpointsBefore(connection, runId,
          round - keepCheckpoints + 1));
      files.addAll(ClientStateRows.dropSuperseded(connection, runId, round - keepCheckpoints + 1));
      return files;
    });
    for (String file : obsolete) {
      try {
        Files.deleteIfExists(checkpoints.resolve(file));
      } catch (IOException e) {
        log.warn("could not delete the old checkpoint file {}: {}", checkpoints.resolve(file), e.toString());
      }
    }
  }

  /** Writes the arrays of a round's changed client states as one file; null when they have none. */
  private Checkpoints.StoredFile writeClientArrays(String runId, int round, List<ClientStateRows.Encoded> states) {
    List<Tensor> arrays = new ArrayList<>();
    states.forEach(e -> arrays.addAll(e.arrays()));
    if (arrays.isEmpty()) {
      return null;
    }
    try {
      return checkpoints.write(runId, round, ClientStateRows.FILE_KIND, ModelWeights.of(arrays));
    } catch (IOException e) {
      throw new FlotillaException("cannot write the client states of round " + round + " of run " + runId + ": "
          + e.getMessage(), e);
    }
  }

  /** Sets the status of run {@code runId}, such as {@link RunStatus#FINISHED} at its end. */
  public synchronized void setStatus(String runId, RunStatus status) {
    inTransaction("set the status of run " + runId, () -> {
      try (PreparedStatement s = connection.prepareStatement(
          "UPDATE flotilla_runs SET status = ?, updated_at = ? WHERE id = ?")) {
        s.setString(1, status.name());
        s.setTimestamp(2, Timestamp.from(Instant.now()));
        s.setString(3, runId);
        if (s.executeUpdate() != 1) {
          throw new IllegalArgumentException("there is no run '" + runId + "'");
        }
      }
      return null;
    });
  }

  /** The records of run {@code runId}'s completed rounds, in round order. */
  public synchronized List<RoundRecord> rounds(String runId) {
    return inTransaction("read the rounds of run " + runId, () -> StoreRows.rounds(connection, runId));
  }

  /** A client of a run: the first and last round at whose end it was connected. */
  public record ClientSeen(String clientId, int firstRound, int lastRound) {}

  /** The clients run {@code runId} has seen, by id. */
  public synchronized List<ClientSeen> clients(String runId) {
    return inTransaction("read the clients of run " + runId, () -> StoreRows.clients(connection, runId));
  }

  /**
   * The checkpoint of run {@code runId}'s last completed round, read from its files, or empty before its first.
   *
   * @throws FlotillaException if a file is missing or does not match its SHA-256
   */
  public synchronized Optional<Checkpoint> lastCheckpoint(String runId) {
    record Row(int round, String modelFile, String modelSha, String stateFile, String stateSha, String scalars) {}
    Optional<Row> row = inTransaction("read the last checkpoint of run " + runId, () -> {
      try (PreparedStatement s = connection.prepareStatement("SELECT c.round_number, c.model_file, c.model_sha256,"
          + " c.state_file, c.state_sha256, c.state_scalars FROM flotilla_checkpoints c JOIN flotilla_runs r"
          + " ON r.id = c.run_id AND r.last_round = c.round_number WHERE c.run_id = ?")) {
        s.setString(1, runId);
        try (ResultSet r = s.executeQuery()) {
          return r.next() ? Optional.of(new Row(r.getInt(1), r.getString(2), r.getString(3), r.getString(4),
              r.getString(5), r.getString(6))) : Optional.<Row>empty();
        }
      }
    });
    if (row.isEmpty()) {
      return Optional.empty();
    }
    Row c = row.get();
    try {
      ModelWeights model = checkpoints.read(c.modelFile(), c.modelSha());
      ModelWeights arrays = c.stateFile() == null ? ModelWeights.empty() : checkpoints.read(c.stateFile(), c.stateSha());
      return Optional.of(new Checkpoint(c.round(), model, new StrategyState(StateJson.config(c.scalars()), arrays)));
    } catch (IOException e) {
      throw new FlotillaException("cannot read the checkpoint of round " + c.round() + " of run " + runId + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * The virtual clients' states of run {@code runId} as they were after round {@code round}: for each client, the
   * state of the latest round up to {@code round} that changed it (so never one of a later round, even when the run
   * went further). Clients without a stored state, or whose state became empty, are left out.
   *
   * @throws FlotillaException if a file is missing or does not match its SHA-256
   */
  public synchronized Map<String, ClientState> clientStates(String runId, int round) {
    List<ClientStateRows.Row> rows = inTransaction("read the client states of run " + runId,
        () -> ClientStateRows.latest(connection, runId, round));
    try {
      return ClientStateRows.decode(rows, checkpoints);
    } catch (IOException e) {
      throw new FlotillaException("cannot read the client states of run " + runId + " after round " + round + ": "
          + e.getMessage(), e);
    }
  }

  /** A client state stored incrementally: whose, the round that changed it, and its size in bytes. */
  public record ClientStateSaved(String clientId, int round, long bytes) {}

  /** Every client state stored for run {@code runId}, by round, then client. */
  public synchronized List<ClientStateSaved> clientStateHistory(String runId) {
    return inTransaction("read the client states of run " + runId, () -> ClientStateRows.history(connection, runId));
  }

  /** Closes the connection. */
  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new FlotillaException("cannot close the run store at " + redact(url) + ": " + e.getMessage(), e);
    }
  }

  private List<StoredRun> query(String sql, String... parameters) {
    return inTransaction("list runs", () -> {
      List<StoredRun> out = new ArrayList<>();
      try (PreparedStatement s = connection.prepareStatement(sql)) {
        for (int i = 0; i < parameters.length; i++) {
          s.setString(i + 1, parameters[i]);
        }
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            int last = r.getInt("last_round");
            OptionalInt lastRound = r.wasNull() ? OptionalInt.empty() : OptionalInt.of(last);
            out.add(new StoredRun(r.getString("id"), RunStatus.valueOf(r.getString("status")),
                new RunSpec(r.getString("description"), r.getString("model"), r.getInt("rounds"), r.getLong("seed"),
                    r.getString("workflow"), r.getString("kind"), r.getString("settings")),
                lastRound, r.getTimestamp("created_at").toInstant(), r.getTimestamp("updated_at").toInstant()));
          }
        }
      }
      return out;
    });
  }

  @FunctionalInterface
  private interface Work<T> {
    T run() throws SQLException;
  }

  /** Runs {@code work} and commits, or rolls back and throws a {@link FlotillaException} naming {@code what}. */
  private <T> T inTransaction(String what, Work<T> work) {
    try {
      T result = work.run();
      connection.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      try {
        connection.rollback();
      } catch (SQLException rollback) {
        e.addSuppressed(rollback);
      }
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new FlotillaException("cannot " + what + " in the run store: " + e.getMessage(), e);
    }
  }

  /** {@code url} without a password parameter, for messages. */
  static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t == e ? e.getMessage() : e.getMessage() + " (" + t.getMessage() + ")";
  }
}
