package dev.flotilla.core.partition;

import java.util.Locale;

/** Builds a {@link Partitioner} from the short text used on the command line and in run records. */
public final class Partitioners {
  /** What {@link #parse} accepts, for error messages and help text. */
  public static final String SCHEMES =
      "iid, dirichlet:ALPHA[:MIN_SIZE], shards:SHARDS_PER_CLIENT or sizeskew:EXPONENT";

  private Partitioners() {}

  /**
   * Parses a scheme: {@code "iid"}, {@code "dirichlet:0.5"} (optionally {@code "dirichlet:0.5:20"} to require 20
   * examples per client instead of 10), {@code "shards:2"} or {@code "sizeskew:1.5"}. The name is case-insensitive.
   * {@link Partitioner#spec()} returns text that parses back to an equal partitioner.
   *
   * @throws IllegalArgumentException quoting the text and saying what is wrong: an unknown name (with the accepted
   *     schemes), a wrong number of options, or an option that is not a number or out of range
   */
  public static Partitioner parse(String scheme) {
    if (scheme == null || scheme.isBlank()) {
      throw new IllegalArgumentException("no partition scheme given; expected " + SCHEMES);
    }
    try {
      return build(scheme.trim().split(":", -1));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad partition scheme '" + scheme + "': " + e.getMessage(), e);
    }
  }

  private static Partitioner build(String[] parts) {
    switch (parts[0].toLowerCase(Locale.ROOT)) {
      case "iid":
        requireOptions(parts, 0, 0);
        return new IidPartitioner();
      case "dirichlet":
        requireOptions(parts, 1, 2);
        double alpha = number(parts[1]);
        return parts.length == 3 ? new DirichletPartitioner(alpha, integer(parts[2])) : new DirichletPartitioner(alpha);
      case "shards":
        requireOptions(parts, 1, 1);
        return new ShardPartitioner(integer(parts[1]));
      case "sizeskew":
        requireOptions(parts, 1, 1);
        return new SizeSkewPartitioner(number(parts[1]));
      default:
        throw new IllegalArgumentException("unknown scheme '" + parts[0] + "'; expected " + SCHEMES);
    }
  }

  private static void requireOptions(String[] parts, int min, int max) {
    int options = parts.length - 1;
    if (options < min || options > max) {
      String expected = min == max ? String.valueOf(min) : min + " or " + max;
      throw new IllegalArgumentException(
          "'" + parts[0] + "' takes " + expected + " options, got " + options + "; expected " + SCHEMES);
    }
  }

  private static double number(String text) {
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not a number");
    }
  }

  private static int integer(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not an integer");
    }
  }
}
