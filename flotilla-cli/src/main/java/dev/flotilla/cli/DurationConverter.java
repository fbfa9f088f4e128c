package dev.flotilla.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads durations such as {@code 120s}, {@code 2m}, {@code 500ms}, {@code 1h} or ISO-8601 {@code PT2M}. */
final class DurationConverter implements ITypeConverter<Duration> {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)");

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  static Duration parse(String value) {
    String v = value.trim().toLowerCase(java.util.Locale.ROOT);
    Matcher m = SIMPLE.matcher(v);
    if (m.matches()) {
      double n = Double.parseDouble(m.group(1));
      double millis = switch (m.group(2)) {
        case "ms" -> n;
        case "s" -> n * 1e3;
        case "m" -> n * 60e3;
        default -> n * 3600e3;
      };
      return Duration.ofMillis(Math.round(millis));
    }
    try {
      return Duration.parse(value.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (DateTimeParseException e) {
      throw new TypeConversionException(
          "'" + value + "' is not a duration; write it like 120s, 2m, 500ms or PT2M");
    }
  }
}
