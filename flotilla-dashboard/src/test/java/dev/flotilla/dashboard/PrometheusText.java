package dev.flotilla.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The samples of a Prometheus text exposition, by metric name and labels, for tests: every line must be a comment or
 * a well-formed sample, or parsing fails.
 */
final class PrometheusText {
  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");
  private final Map<String, Double> samples = new HashMap<>();

  PrometheusText(String text) {
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertThat(m.matches()).as("a sample line: %s", line).isTrue();
      samples.put(key(m.group(1), labels(m.group(2), line)), parse(m.group(3)));
    }
  }

  /** The value of the sample {@code name} with exactly {@code labels} (name, value, name, value…). */
  Double value(String name, String... labels) {
    Map<String, String> l = new TreeMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      l.put(labels[i], labels[i + 1]);
    }
    return samples.get(key(name, l));
  }

  /** Whether some sample's name starts with {@code prefix}. */
  boolean hasPrefix(String prefix) {
    return samples.keySet().stream().anyMatch(k -> k.startsWith(prefix));
  }

  private static Map<String, String> labels(String text, String line) {
    Map<String, String> out = new TreeMap<>();
    if (text == null || text.isEmpty()) {
      return out;
    }
    Matcher m = LABEL.matcher(text);
    int end = 0;
    while (m.find() && m.start() == end) {
      out.put(m.group(1), m.group(2));
      end = m.end();
    }
    assertThat(end).as("labels of %s", line).isEqualTo(text.length());
    return out;
  }

  private static String key(String name, Map<String, String> labels) {
    return name + labels;
  }

  private static double parse(String value) {
    return switch (value) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(value);
    };
  }
}
