package dev.flotilla.server.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.flotilla.core.FlotillaException;
import dev.flotilla.server.RoundRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a {@code metrics.jsonl} written by {@link MetricsLog}, for tests, plots and resumed runs. */
public final class MetricsLogReader {
  private MetricsLogReader() {}

  /**
   * Every line of {@code file} as a map in key order. Integers read as {@code Long}, other numbers (and {@code NaN},
   * {@code Infinity}, {@code -Infinity}) as {@code Double}, strings as {@code String}, booleans as {@code Boolean}.
   * Blank lines are skipped, and so is a last line that has no line break and does not parse: the trace of a crash
   * in the middle of a write.
   *
   * @throws FlotillaException naming the line number if another line is not a flat JSON object
   * @throws IOException if the file cannot be read
   */
  public static List<Map<String, Object>> read(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    List<String> lines = text.lines().toList();
    List<Map<String, Object>> rows = new ArrayList<>(lines.size());
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      try {
        rows.add(parseLine(line));
      } catch (FlotillaException e) {
        boolean unfinished = i == lines.size() - 1 && !text.endsWith("\n");
        if (!unfinished) {
          throw new FlotillaException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
        }
      }
    }
    return Collections.unmodifiableList(rows);
  }

  /**
   * The rounds of {@code file} as records; extra keys are ignored.
   *
   * @throws FlotillaException naming the line and key if a line lacks a counter or holds a value of the wrong type
   * @throws IOException if the file cannot be read
   */
  public static List<RoundRecord> readRecords(Path file) throws IOException {
    List<RoundRecord> records = new ArrayList<>();
    for (Map<String, Object> row : read(file)) {
      records.add(toRecord(row));
    }
    return records;
  }

  /** The record a map from {@link #read} describes. */
  public static RoundRecord toRecord(Map<String, Object> row) {
    return new RoundRecord((int) integer(row, "round"), optionalDouble(row, "accuracy"),
        optionalDouble(row, "loss"), optionalDouble(row, "fed_accuracy"), optionalDouble(row, "fed_loss"),
        (int) integer(row, "clients_ok"), (int) integer(row, "clients_failed"), number(row, "seconds").doubleValue(),
        integer(row, "bytes_up"), integer(row, "bytes_down"));
  }

  private static Map<String, Object> parseLine(String line) {
    JsonElement element;
    try {
      element = JsonParser.parseString(line);
    } catch (JsonParseException e) {
      throw new FlotillaException("not JSON: " + e.getMessage(), e);
    }
    if (!element.isJsonObject()) {
      throw new FlotillaException("not a JSON object: " + line);
    }
    Map<String, Object> row = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : ((JsonObject) element).entrySet()) {
      if (!(e.getValue() instanceof JsonPrimitive value)) {
        throw new FlotillaException("key '" + e.getKey() + "' holds " + e.getValue() + ", not a number, string"
            + " or boolean");
      }
      row.put(e.getKey(), toJava(value));
    }
    return Collections.unmodifiableMap(row);
  }

  private static Object toJava(JsonPrimitive value) {
    if (value.isBoolean()) {
      return value.getAsBoolean();
    }
    String text = value.getAsString();
    if (value.isNumber()) {
      return text.matches("-?[0-9]{1,18}") ? (Object) Long.parseLong(text) : (Object) Double.parseDouble(text);
    }
    // a lenient parse turns the bare words NaN and Infinity into strings
    return switch (text) {
      case "NaN" -> Double.NaN;
      case "Infinity" -> Double.POSITIVE_INFINITY;
      case "-Infinity" -> Double.NEGATIVE_INFINITY;
      default -> text;
    };
  }

  private static Number number(Map<String, Object> row, String key) {
    Object value = row.get(key);
    if (!(value instanceof Number n)) {
      throw new FlotillaException("metrics row " + row + " needs a number for '" + key + "', got " + value);
    }
    return n;
  }

  private static long integer(Map<String, Object> row, String key) {
    Number n = number(row, key);
    if (!(n instanceof Long)) {
      throw new FlotillaException("metrics row " + row + " needs an integer for '" + key + "', got " + n);
    }
    return n.longValue();
  }

  private static Double optionalDouble(Map<String, Object> row, String key) {
    return row.containsKey(key) ? number(row, key).doubleValue() : null;
  }
}
