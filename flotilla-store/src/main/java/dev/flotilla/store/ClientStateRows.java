package dev.flotilla.store;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.client.ClientState;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Virtual clients' states kept incrementally in {@code flotilla_client_states}: a row per client whose state a round
 * changed, with the state's scalars, and the arrays of all of a round's rows in one file of {@link Checkpoints}
 * ({@code kind} {@value #FILE_KIND}). In a row, key {@code KEY}'s entry {@code KEY} says which parts it has
 * ({@code arrays}, {@code config} or both) and {@code KEY/NAME} holds a scalar; in the file, an array is named
 * {@code CLIENT/KEY/NAME}. {@code CLIENT} and {@code KEY} are URL-encoded, so a {@code /} in them stays apart from
 * the separators. The SQL is portable (H2 and PostgreSQL) and works inside the caller's transaction.
 */
final class ClientStateRows {
  /** The {@link Checkpoints} kind of a round's file of client arrays. */
  static final String FILE_KIND = "clients";
  private static final String ARRAYS = "arrays";
  private static final String CONFIG = "config";

  private ClientStateRows() {}

  /** One client's state as stored: its row's scalars, its arrays under their file names, and its size in bytes. */
  record Encoded(String clientId, Config scalars, List<Tensor> arrays, long bytes) {}

  /** A stored row: where client {@code clientId}'s state of round {@code round} is. */
  record Row(String clientId, int round, String scalars, String arraysFile, String arraysSha256) {}

  /** {@code states} (by client id) as rows and arrays, in client order. */
  static List<Encoded> encode(Map<String, ClientState> states) {
    List<Encoded> out = new ArrayList<>(states.size());
    new TreeMap<>(states).forEach((id, state) -> {
      Map<String, Object> scalars = new LinkedHashMap<>();
      List<Tensor> arrays = new ArrayList<>();
      for (String key : state.keys()) {
        String k = encode(key);
        ModelWeights a = state.arrays(key).orElse(null);
        Config c = state.config(key).orElse(null);
        scalars.put(k, a != null && c != null ? ARRAYS + "," + CONFIG : a != null ? ARRAYS : CONFIG);
        if (a != null) {
          a.tensors().forEach(t -> arrays.add(t.renamed(encode(id) + "/" + k + "/" + t.name())));
        }
        if (c != null) {
          c.values().forEach((name, value) -> scalars.put(k + "/" + name, value));
        }
      }
      Config config = new Config(scalars);
      long bytes = StateJson.config(config).getBytes(StandardCharsets.UTF_8).length
          + ModelWeights.of(arrays).byteSize();
      out.add(new Encoded(id, config, List.copyOf(arrays), bytes));
    });
    return out;
  }

  /** Inserts the rows of round {@code round}; {@code file} holds their arrays, or is null when none has any. */
  static void insert(Connection connection, String runId, int round, List<Encoded> states,
      Checkpoints.StoredFile file) throws SQLException {
    try (PreparedStatement s = connection.prepareStatement("INSERT INTO flotilla_client_states (run_id, client_id,"
        + " round_number, scalars, arrays_file, arrays_sha256, bytes) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      for (Encoded e : states) {
        s.setString(1, runId);
        s.setString(2, e.clientId());
        s.setInt(3, round);
        s.setString(4, StateJson.config(e.scalars()));
        s.setString(5, file == null || e.arrays().isEmpty() ? null : file.relativePath());
        s.setString(6, file == null || e.arrays().isEmpty() ? null : file.sha256());
        s.setLong(7, e.bytes());
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  /** For each client of run {@code runId}, its row of the latest round up to {@code round}. */
  static List<Row> latest(Connection connection, String runId, int round) throws SQLException {
    List<Row> out = new ArrayList<>();
    try (PreparedStatement s = connection.prepareStatement("SELECT s.client_id, s.round_number, s.scalars,"
        + " s.arrays_file, s.arrays_sha256 FROM flotilla_client_states s WHERE s.run_id = ? AND s.round_number ="
        + " (SELECT MAX(t.round_number) FROM flotilla_client_states t WHERE t.run_id = s.run_id"
        + " AND t.client_id = s.client_id AND t.round_number <= ?) ORDER BY s.client_id")) {
      s.setString(1, runId);
      s.setInt(2, round);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(new Row(r.getString(1), r.getInt(2), r.getString(3), r.getString(4), r.getString(5)));
        }
      }
    }
    return out;
  }

  /**
   * The states of {@code rows}, by client id, reading each file once and checking its SHA-256; clients whose state
   * is empty are left out.
   *
   * @throws FlotillaException if a file is missing or changed, or an array in it names no key
   */
  static Map<String, ClientState> decode(List<Row> rows, Checkpoints checkpoints) throws IOException {
    Map<String, Map<String, List<Tensor>>> arraysByFile = new HashMap<>(); // file -> encoded client id -> arrays
    Map<String, ClientState> out = new TreeMap<>();
    for (Row row : rows) {
      Config scalars = StateJson.config(row.scalars());
      List<Tensor> arrays = List.of();
      if (row.arraysFile() != null) {
        Map<String, List<Tensor>> byClient = arraysByFile.get(row.arraysFile());
        if (byClient == null) {
          byClient = new HashMap<>();
          for (Tensor t : checkpoints.read(row.arraysFile(), row.arraysSha256()).tensors()) {
            byClient.computeIfAbsent(t.name().substring(0, Math.max(0, t.name().indexOf('/'))),
                k -> new ArrayList<>()).add(t);
          }
          arraysByFile.put(row.arraysFile(), byClient);
        }
        arrays = byClient.getOrDefault(encode(row.clientId()), List.of());
      }
      ClientState state = decode(row, scalars, arrays);
      if (!state.isEmpty()) {
        out.put(row.clientId(), state);
      }
    }
    return out;
  }

  private static ClientState decode(Row row, Config scalars, List<Tensor> arrays) {
    Map<String, String> parts = new LinkedHashMap<>();
    Map<String, Map<String, Object>> configs = new HashMap<>();
    scalars.values().forEach((name, value) -> {
      int slash = name.indexOf('/');
      if (slash < 0) {
        parts.put(name, value.toString());
      } else {
        configs.computeIfAbsent(name.substring(0, slash), k -> new LinkedHashMap<>())
            .put(name.substring(slash + 1), value);
      }
    });
    Map<String, List<Tensor>> arraysByKey = new HashMap<>();
    for (Tensor t : arrays) {
      String[] p = t.name().split("/", 3);
      if (p.length != 3) {
        throw new FlotillaException("stored array '" + t.name() + "' of client '" + row.clientId() + "' (round "
            + row.round() + ") names no key");
      }
      arraysByKey.computeIfAbsent(p[1], k -> new ArrayList<>()).add(t.renamed(p[2]));
    }
    ClientState state = new ClientState();
    parts.forEach((k, has) -> {
      String key = decode(k);
      if (has.contains(ARRAYS)) {
        state.putArrays(key, ModelWeights.of(arraysByKey.getOrDefault(k, List.of())));
      }
      if (has.contains(CONFIG)) {
        state.putConfig(key, new Config(configs.getOrDefault(k, Map.of())));
      }
    });
    return state;
  }

  /**
   * Deletes the rows of run {@code runId} that no resume from round {@code firstKept} or later can need: those of a
   * client with a later row up to {@code firstKept}. Returns the files that no row names any more.
   */
  static List<String> dropSuperseded(Connection connection, String runId, int firstKept) throws SQLException {
    String superseded = " FROM flotilla_client_states WHERE run_id = ? AND round_number < ? AND EXISTS (SELECT 1"
        + " FROM flotilla_client_states n WHERE n.run_id = flotilla_client_states.run_id AND n.client_id ="
        + " flotilla_client_states.client_id AND n.round_number > flotilla_client_states.round_number"
        + " AND n.round_number <= ?)";
    Set<String> files = new LinkedHashSet<>();
    try (PreparedStatement s = connection.prepareStatement("SELECT DISTINCT arrays_file" + superseded)) {
      s.setString(1, runId);
      s.setInt(2, firstKept);
      s.setInt(3, firstKept);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          if (r.getString(1) != null) {
            files.add(r.getString(1));
          }
        }
      }
    }
    try (PreparedStatement s = connection.prepareStatement("DELETE" + superseded)) {
      s.setString(1, runId);
      s.setInt(2, firstKept);
      s.setInt(3, firstKept);
      s.executeUpdate();
    }
    try (PreparedStatement s = connection.prepareStatement("SELECT DISTINCT arrays_file FROM flotilla_client_states"
        + " WHERE run_id = ? AND round_number < ? AND arrays_file IS NOT NULL")) {
      s.setString(1, runId);
      s.setInt(2, firstKept);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          files.remove(r.getString(1));
        }
      }
    }
    return List.copyOf(files);
  }

  /** Every row of run {@code runId}: client, round and bytes, by round, then client. */
  static List<RunStore.ClientStateSaved> history(Connection connection, String runId) throws SQLException {
    List<RunStore.ClientStateSaved> out = new ArrayList<>();
    try (PreparedStatement s = connection.prepareStatement("SELECT client_id, round_number, bytes FROM"
        + " flotilla_client_states WHERE run_id = ? ORDER BY round_number, client_id")) {
      s.setString(1, runId);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(new RunStore.ClientStateSaved(r.getString(1), r.getInt(2), r.getLong(3)));
        }
      }
    }
    return out;
  }

  private static String encode(String name) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8);
  }

  private static String decode(String segment) {
    return URLDecoder.decode(segment, StandardCharsets.UTF_8);
  }
}
