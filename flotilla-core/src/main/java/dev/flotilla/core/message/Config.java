package dev.flotilla.core.message;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Typed key/value configuration sent with instructions (learning rate, local epochs…) or describing a client.
 * Values are {@code Long}, {@code Double}, {@code Boolean} or {@code String}; ints and floats are widened on the
 * way in, so that a value reads back the same after crossing the wire.
 *
 * @param values an immutable map in insertion order
 */
public record Config(Map<String, Object> values) {
  private static final Config EMPTY = new Config(Map.of());

  public Config {
    Map<String, Object> copy = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : values.entrySet()) {
      copy.put(e.getKey(), normalize(e.getKey(), e.getValue()));
    }
    values = java.util.Collections.unmodifiableMap(copy);
  }

  public static Config empty() {
    return EMPTY;
  }

  /** Config from alternating keys and values: {@code Config.of("lr", 0.01, "epochs", 1)}. */
  public static Config of(Object... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("Config.of needs key/value pairs, got " + keysAndValues.length + " items");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return new Config(m);
  }

  /** A copy with one more (or a replaced) entry. */
  public Config with(String key, Object value) {
    Map<String, Object> m = new LinkedHashMap<>(values);
    m.put(key, value);
    return new Config(m);
  }

  /** A copy with all entries of {@code other} added, replacing equal keys. */
  public Config merge(Config other) {
    Map<String, Object> m = new LinkedHashMap<>(values);
    m.putAll(other.values);
    return new Config(m);
  }

  public boolean has(String key) {
    return values.containsKey(key);
  }

  public double getDouble(String key, double defaultValue) {
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw wrongType(key, v, "a number");
  }

  public long getLong(String key, long defaultValue) {
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof Long l) {
      return l;
    }
    if (v instanceof Double d && d == Math.rint(d)) {
      return d.longValue();
    }
    throw wrongType(key, v, "an integer");
  }

  public int getInt(String key, int defaultValue) {
    long v = getLong(key, defaultValue);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("config '" + key + "' = " + v + " does not fit an int");
    }
    return (int) v;
  }

  public boolean getBoolean(String key, boolean defaultValue) {
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    throw wrongType(key, v, "a boolean");
  }

  public String getString(String key, String defaultValue) {
    Object v = values.get(key);
    return v == null ? defaultValue : v.toString();
  }

  private static IllegalArgumentException wrongType(String key, Object v, String wanted) {
    return new IllegalArgumentException("config '" + key + "' = " + v + " is not " + wanted);
  }

  private static Object normalize(String key, Object v) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("config key must not be empty");
    }
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float || v instanceof Double) {
      return ((Number) v).doubleValue();
    }
    if (v instanceof Boolean || v instanceof String) {
      return v;
    }
    throw new IllegalArgumentException(
        "config '" + key + "' has unsupported value " + v + " (" + (v == null ? "null" : v.getClass().getSimpleName())
            + "); use a number, boolean or string");
  }
}
