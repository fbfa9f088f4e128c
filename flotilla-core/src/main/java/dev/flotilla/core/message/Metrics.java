package dev.flotilla.core.message;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Named numeric results such as {@code accuracy} or {@code loss}. Immutable, in insertion order.
 *
 * @param values metric name to value
 */
public record Metrics(Map<String, Double> values) {
  private static final Metrics EMPTY = new Metrics(Map.of());

  public Metrics {
    for (Map.Entry<String, Double> e : values.entrySet()) {
      if (e.getKey() == null || e.getKey().isEmpty() || e.getValue() == null) {
        throw new IllegalArgumentException("metrics need a name and a value, got " + e);
      }
    }
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  public static Metrics empty() {
    return EMPTY;
  }

  /** Metrics from alternating names and values: {@code Metrics.of("accuracy", 0.9)}. */
  public static Metrics of(Object... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("Metrics.of needs name/value pairs");
    }
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      m.put((String) namesAndValues[i], ((Number) namesAndValues[i + 1]).doubleValue());
    }
    return new Metrics(m);
  }

  public OptionalDouble get(String name) {
    Double v = values.get(name);
    return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
  }

  /** A copy with the metrics of {@code other} added, replacing equal names. */
  public Metrics merge(Metrics other) {
    if (other.values.isEmpty()) {
      return this;
    }
    Map<String, Double> m = new LinkedHashMap<>(values);
    m.putAll(other.values);
    return new Metrics(m);
  }

  /** Whether there are none. */
  public boolean isEmpty() {
    return values.isEmpty();
  }

  public Metrics with(String name, double value) {
    Map<String, Double> m = new LinkedHashMap<>(values);
    m.put(name, value);
    return new Metrics(m);
  }
}
