package dev.flotilla.transport;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.transport.proto.ConfigEntry;
import dev.flotilla.transport.proto.Metric;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Converts {@link Config} and {@link Metrics} to and from their protobuf form, keeping their order. */
public final class WireValues {
  private WireValues() {}

  /** The entries of {@code config}, in order. */
  public static List<ConfigEntry> toEntries(Config config) {
    List<ConfigEntry> out = new ArrayList<>(config.values().size());
    for (Map.Entry<String, Object> e : config.values().entrySet()) {
      ConfigEntry.Builder b = ConfigEntry.newBuilder().setKey(e.getKey());
      Object v = e.getValue();
      if (v instanceof Long l) {
        b.setIntValue(l);
      } else if (v instanceof Double d) {
        b.setDoubleValue(d);
      } else if (v instanceof Boolean bool) {
        b.setBoolValue(bool);
      } else {
        b.setStringValue((String) v);
      }
      out.add(b.build());
    }
    return out;
  }

  /** The config of {@code entries}; throws {@link ProtocolException} for an entry without key or value. */
  public static Config toConfig(List<ConfigEntry> entries) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (ConfigEntry e : entries) {
      if (e.getKey().isEmpty()) {
        throw new ProtocolException("a config entry has an empty key");
      }
      Object v = switch (e.getValueCase()) {
        case INT_VALUE -> e.getIntValue();
        case DOUBLE_VALUE -> e.getDoubleValue();
        case BOOL_VALUE -> e.getBoolValue();
        case STRING_VALUE -> e.getStringValue();
        case VALUE_NOT_SET -> throw new ProtocolException("config entry '" + e.getKey() + "' has no value");
      };
      if (values.put(e.getKey(), v) != null) {
        throw new ProtocolException("config key '" + e.getKey() + "' appears twice");
      }
    }
    return new Config(values);
  }

  /** The metrics as protobuf entries, in order. */
  public static List<Metric> toWire(Metrics metrics) {
    List<Metric> out = new ArrayList<>(metrics.values().size());
    metrics.values().forEach((k, v) -> out.add(Metric.newBuilder().setName(k).setValue(v).build()));
    return out;
  }

  /** The metrics of {@code entries}; throws {@link ProtocolException} for an unnamed or repeated metric. */
  public static Metrics toMetrics(List<Metric> entries) {
    Map<String, Double> values = new LinkedHashMap<>();
    for (Metric m : entries) {
      if (m.getName().isEmpty()) {
        throw new ProtocolException("a metric has an empty name");
      }
      if (values.put(m.getName(), m.getValue()) != null) {
        throw new ProtocolException("metric '" + m.getName() + "' appears twice");
      }
    }
    return new Metrics(values);
  }
}
