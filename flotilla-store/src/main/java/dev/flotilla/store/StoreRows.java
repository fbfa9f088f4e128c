package dev.flotilla.store;

import dev.flotilla.workflow.RoundRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of the store's round, client and checkpoint rows, in portable SQL (H2 and PostgreSQL alike). Each method
 * works inside the caller's transaction on the caller's connection.
 */
final class StoreRows {
  private StoreRows() {}

  static void insertRound(Connection connection, String runId, RoundRecord record, Instant now) throws SQLException {
    try (PreparedStatement s = connection.prepareStatement("INSERT INTO flotilla_rounds (run_id, round_number,"
        + " accuracy, loss, fed_accuracy, fed_loss, clients_ok, clients_failed, seconds, bytes_up, bytes_down,"
        + " metrics, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      s.setString(1, runId);
      s.setInt(2, record.round());
      setNullableDouble(s, 3, record.accuracy());
      setNullableDouble(s, 4, record.loss());
      setNullableDouble(s, 5, record.fedAccuracy());
      setNullableDouble(s, 6, record.fedLoss());
      s.setInt(7, record.clientsOk());
      s.setInt(8, record.clientsFailed());
      s.setDouble(9, record.seconds());
      s.setLong(10, record.bytesUp());
      s.setLong(11, record.bytesDown());
      s.setString(12, StateJson.metrics(record.metrics()));
      s.setTimestamp(13, Timestamp.from(now));
      s.executeUpdate();
    }
  }

  /** The records of run {@code runId}'s rounds, in round order. */
  static List<RoundRecord> rounds(Connection connection, String runId) throws SQLException {
    List<RoundRecord> out = new ArrayList<>();
    try (PreparedStatement s = connection.prepareStatement(
        "SELECT * FROM flotilla_rounds WHERE run_id = ? ORDER BY round_number")) {
      s.setString(1, runId);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(new RoundRecord(r.getInt("round_number"), nullableDouble(r, "accuracy"),
              nullableDouble(r, "loss"), nullableDouble(r, "fed_accuracy"), nullableDouble(r, "fed_loss"),
              r.getInt("clients_ok"), r.getInt("clients_failed"), r.getDouble("seconds"), r.getLong("bytes_up"),
              r.getLong("bytes_down"), StateJson.metrics(r.getString("metrics"))));
        }
      }
    }
    return out;
  }

  /** The clients of run {@code runId}, by id. */
  static List<RunStore.ClientSeen> clients(Connection connection, String runId) throws SQLException {
    List<RunStore.ClientSeen> out = new ArrayList<>();
    try (PreparedStatement s = connection.prepareStatement(
        "SELECT client_id, first_round, last_round FROM flotilla_clients WHERE run_id = ? ORDER BY client_id")) {
      s.setString(1, runId);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(new RunStore.ClientSeen(r.getString(1), r.getInt(2), r.getInt(3)));
        }
      }
    }
    return out;
  }

  /** Client {@code client} was connected at the end of {@code round}. */
  static void seen(Connection connection, String runId, String client, int round) throws SQLException {
    try (PreparedStatement update = connection.prepareStatement(
        "UPDATE flotilla_clients SET last_round = ? WHERE run_id = ? AND client_id = ?")) {
      update.setInt(1, round);
      update.setString(2, runId);
      update.setString(3, client);
      if (update.executeUpdate() > 0) {
        return;
      }
    }
    try (PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO flotilla_clients (run_id, client_id, first_round, last_round) VALUES (?, ?, ?, ?)")) {
      insert.setString(1, runId);
      insert.setString(2, client);
      insert.setInt(3, round);
      insert.setInt(4, round);
      insert.executeUpdate();
    }
  }

  /** Deletes the checkpoint rows of run {@code runId} before round {@code firstKept}; returns their files. */
  static List<String> dropCheckpointsBefore(Connection connection, String runId, int firstKept) throws SQLException {
    List<String> files = new ArrayList<>();
    try (PreparedStatement s = connection.prepareStatement("SELECT model_file, state_file FROM flotilla_checkpoints"
        + " WHERE run_id = ? AND round_number < ?")) {
      s.setString(1, runId);
      s.setInt(2, firstKept);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          files.add(r.getString(1));
          if (r.getString(2) != null) {
            files.add(r.getString(2));
          }
        }
      }
    }
    try (PreparedStatement s = connection.prepareStatement(
        "DELETE FROM flotilla_checkpoints WHERE run_id = ? AND round_number < ?")) {
      s.setString(1, runId);
      s.setInt(2, firstKept);
      s.executeUpdate();
    }
    return files;
  }

  static Double nullableDouble(ResultSet r, String column) throws SQLException {
    double value = r.getDouble(column);
    return r.wasNull() ? null : value;
  }

  static void setNullableDouble(PreparedStatement s, int index, Double value) throws SQLException {
    if (value == null) {
      s.setNull(index, Types.DOUBLE);
    } else {
      s.setDouble(index, value);
    }
  }
}
