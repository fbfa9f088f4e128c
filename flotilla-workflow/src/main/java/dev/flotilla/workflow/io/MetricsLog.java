package dev.flotilla.workflow.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.flotilla.workflow.RoundRecord;
import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Appends one JSON object per round to {@code DIR/metrics.jsonl}, with the keys {@link #KEYS} in that order: e.g.
 * {@code {"round":3,"accuracy":0.8123,"loss":0.5234,"clients_ok":10,"clients_failed":0,"seconds":12.345,
 * "bytes_up":23281040,"bytes_down":23281040}}. Evaluation keys whose value is null are left out; further keys (such
 * as {@code epsilon} and {@code delta} when differential privacy is on), the record's
 * {@link RoundRecord#metrics()} and then any extra entries, follow the standard ones. Seconds are
 * rounded to the millisecond. NaN and infinite values are written as the bare words {@code NaN}, {@code Infinity}
 * and {@code -Infinity}, as Python's {@code json} module writes and reads them.
 *
 * <p>Each line is flushed to the operating system as soon as it is written, so a run that crashes keeps every
 * round it finished. Thread-safe.
 */
public final class MetricsLog implements Closeable {
  /** Name of the file inside the output directory. */
  public static final String FILE_NAME = "metrics.jsonl";
  /** The standard keys, in the order they are written. */
  public static final List<String> KEYS = List.of("round", "accuracy", "loss", "fed_accuracy", "fed_loss",
      "clients_ok", "clients_failed", "seconds", "bytes_up", "bytes_down");

  private static final Gson GSON =
      new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create();
  private final Path file;
  private final Writer writer;

  private MetricsLog(Path file, Writer writer) {
    this.file = file;
    this.writer = writer;
  }

  /**
   * Starts a new log in {@code dir} (created if missing), replacing any {@value #FILE_NAME} there.
   *
   * @throws IOException if the directory or file cannot be created
   */
  public static MetricsLog create(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(FILE_NAME);
    return new MetricsLog(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE));
  }

  /** The file this log writes. */
  public Path file() {
    return file;
  }

  /** Writes the line for {@code record}; see {@link #append(RoundRecord, Map)}. */
  public void append(RoundRecord record) throws IOException {
    append(record, Map.of());
  }

  /**
   * Writes the line for {@code record} followed by {@code extra} entries in their iteration order, and flushes.
   *
   * @param extra further keys, each not one of {@link #KEYS}; values are numbers, strings or booleans
   * @throws IllegalArgumentException if an extra key is a standard one or a value is of another type
   * @throws IOException if writing fails
   */
  public synchronized void append(RoundRecord record, Map<String, ?> extra) throws IOException {
    writer.write(toJson(record, extra));
    writer.write('\n');
    writer.flush();
  }

  /** The JSON object for {@code record} and {@code extra}, on one line without a line break. */
  public static String toJson(RoundRecord record, Map<String, ?> extra) {
    JsonObject json = new JsonObject();
    json.addProperty("round", record.round());
    addIfPresent(json, "accuracy", record.accuracy());
    addIfPresent(json, "loss", record.loss());
    addIfPresent(json, "fed_accuracy", record.fedAccuracy());
    addIfPresent(json, "fed_loss", record.fedLoss());
    json.addProperty("clients_ok", record.clientsOk());
    json.addProperty("clients_failed", record.clientsFailed());
    json.addProperty("seconds", Math.round(record.seconds() * 1000) / 1000.0);
    json.addProperty("bytes_up", record.bytesUp());
    json.addProperty("bytes_down", record.bytesDown());
    Map<String, Object> all = new LinkedHashMap<>(record.metrics().values());
    all.putAll(extra);
    for (Map.Entry<String, ?> e : all.entrySet()) {
      if (KEYS.contains(e.getKey())) {
        throw new IllegalArgumentException("extra metric '" + e.getKey() + "' would replace a standard key");
      }
      Object value = e.getValue();
      if (value instanceof Number n) {
        json.addProperty(e.getKey(), n);
      } else if (value instanceof String s) {
        json.addProperty(e.getKey(), s);
      } else if (value instanceof Boolean b) {
        json.addProperty(e.getKey(), b);
      } else {
        throw new IllegalArgumentException("extra metric '" + e.getKey() + "' has value " + value
            + (value == null ? "" : " of type " + value.getClass().getName())
            + "; expected a number, string or boolean");
      }
    }
    return GSON.toJson(json);
  }

  private static void addIfPresent(JsonObject json, String key, Double value) {
    if (value != null) {
      json.addProperty(key, value);
    }
  }

  /** Flushes and closes the file. */
  @Override
  public synchronized void close() throws IOException {
    writer.close();
  }
}
