package dev.flotilla.workflow.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Reads back a {@value MetricsLog#FILE_NAME} that {@link MetricsLog} wrote, for comparing runs: one {@link Line} per
 * round with every numeric key of that line (standard keys and named metrics alike). Stateless.
 */
public final class MetricsFile {
  private MetricsFile() {}

  /** The numeric values of one round's line, by key, in file order. */
  public record Line(Map<String, Double> values) {
    public Line {
      values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** The round number. */
    public int round() {
      return values.getOrDefault("round", -1.0).intValue();
    }

    /** The value of {@code key}, if the line has it. */
    public OptionalDouble get(String key) {
      Double v = values.get(key);
      return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }
  }

  /**
   * The lines of {@code file} (a {@code metrics.jsonl}, or a folder holding one), in order.
   *
   * @throws IOException              if it cannot be read
   * @throws IllegalArgumentException naming the file and line that is not a JSON object with a round
   */
  public static List<Line> read(Path file) throws IOException {
    Path f = Files.isDirectory(file) ? file.resolve(MetricsLog.FILE_NAME) : file;
    List<Line> out = new ArrayList<>();
    int number = 0;
    for (String text : Files.readAllLines(f, StandardCharsets.UTF_8)) {
      number++;
      if (text.isBlank()) {
        continue;
      }
      JsonObject json;
      try {
        JsonElement parsed = JsonParser.parseString(text);
        if (!parsed.isJsonObject() || !parsed.getAsJsonObject().has("round")) {
          throw new IllegalArgumentException(f + " line " + number + " is not a round's JSON object");
        }
        json = parsed.getAsJsonObject();
      } catch (JsonParseException e) {
        throw new IllegalArgumentException(f + " line " + number + " is not JSON: " + e.getMessage(), e);
      }
      Map<String, Double> values = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> e : json.entrySet()) {
        if (e.getValue().isJsonPrimitive() && e.getValue().getAsJsonPrimitive().isNumber()) {
          values.put(e.getKey(), e.getValue().getAsDouble());
        }
      }
      out.add(new Line(values));
    }
    return out;
  }
}
