package dev.flotilla.store;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Metrics;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON that the store keeps in text columns: a strategy's scalar state (a {@link Config}, whose values keep
 * their type: {@code {"step":{"long":"3"},"lr":{"double":"0.1"}}}) and a round's further metrics (plain numbers).
 * Doubles are written as Java writes them, so they read back bit for bit, NaN and infinities included.
 */
final class StateJson {
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues()
      .create();

  private StateJson() {}

  static String config(Config config) {
    JsonObject json = new JsonObject();
    config.values().forEach((key, value) -> {
      JsonObject typed = new JsonObject();
      String type;
      if (value instanceof Long) {
        type = "long";
      } else if (value instanceof Double) {
        type = "double";
      } else if (value instanceof Boolean) {
        type = "boolean";
      } else if (value instanceof String) {
        type = "string";
      } else {
        throw new IllegalArgumentException("state value '" + key + "' has an unstorable type "
            + value.getClass().getName());
      }
      typed.addProperty(type, value.toString());
      json.add(key, typed);
    });
    return GSON.toJson(json);
  }

  static Config config(String text) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : parse(text).entrySet()) {
      JsonObject typed = e.getValue().getAsJsonObject();
      if (typed.size() != 1) {
        throw new FlotillaException("stored state value '" + e.getKey() + "' is not one typed value: " + typed);
      }
      Map.Entry<String, JsonElement> only = typed.entrySet().iterator().next();
      String raw = only.getValue().getAsString();
      values.put(e.getKey(), switch (only.getKey()) {
        case "long" -> Long.parseLong(raw);
        case "double" -> Double.parseDouble(raw);
        case "boolean" -> Boolean.parseBoolean(raw);
        case "string" -> raw;
        default -> throw new FlotillaException("stored state value '" + e.getKey() + "' has unknown type "
            + only.getKey());
      });
    }
    return new Config(values);
  }

  static String metrics(Metrics metrics) {
    JsonObject json = new JsonObject();
    metrics.values().forEach(json::addProperty);
    return GSON.toJson(json);
  }

  static Metrics metrics(String text) {
    Map<String, Double> values = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : parse(text).entrySet()) {
      values.put(e.getKey(), e.getValue().getAsDouble());
    }
    return new Metrics(values);
  }

  private static JsonObject parse(String text) {
    try {
      JsonReader reader = new JsonReader(new StringReader(text));
      reader.setStrictness(Strictness.LENIENT); // NaN and Infinity
      return JsonParser.parseReader(reader).getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new FlotillaException("stored JSON is not an object: " + e.getMessage(), e);
    }
  }
}
