package dev.flotilla.bench.w3;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --name value} options of the W3 processes. A malformed command line, an option the process does not
 * take or a value of the wrong kind is an {@link IllegalArgumentException} whose message names the option and the
 * value; {@link #exitOnBadOptions} turns it into one line on standard error and exit status 2.
 */
final class W3Options {
  private final Map<String, String> values;

  private W3Options(Map<String, String> values) {
    this.values = values;
  }

  /** Parses {@code args}, which may only name options of {@code known} (without the leading dashes). */
  static W3Options parse(String[] args, Set<String> known) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value pairs, got '" + String.join(" ", args) + "'");
      }
      String name = args[i].substring(2);
      if (!known.contains(name)) {
        throw new IllegalArgumentException("unknown option '" + args[i] + "' (options: --"
            + String.join(", --", known.stream().sorted().toList()) + ")");
      }
      out.put(name, args[i + 1]);
    }
    return new W3Options(out);
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  String string(String name, String otherwise) {
    return values.getOrDefault(name, otherwise);
  }

  /** {@code --name}'s value as an int of at least {@code min}, or {@code otherwise} if not given. */
  int integer(String name, int otherwise, int min) {
    long v = longInteger(name, otherwise, min);
    if (v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("--" + name + " must be at most " + Integer.MAX_VALUE + ", got " + v);
    }
    return (int) v;
  }

  /** {@code --name}'s value as a long of at least {@code min}, or {@code otherwise} if not given. */
  long longInteger(String name, long otherwise, long min) {
    if (!values.containsKey(name)) {
      return otherwise;
    }
    long v;
    try {
      v = Long.parseLong(values.get(name));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be an integer, got '" + values.get(name) + "'");
    }
    if (v < min) {
      throw new IllegalArgumentException("--" + name + " must be at least " + min + ", got " + v);
    }
    return v;
  }

  /** {@code --name}'s value, {@code true} or {@code false}, or {@code otherwise} if not given. */
  boolean bool(String name, boolean otherwise) {
    String v = values.get(name);
    if (v == null) {
      return otherwise;
    }
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException("--" + name + " must be true or false, got '" + v + "'");
    }
    return v.equals("true");
  }

  /** The process's exit on a bad command line: {@code program: message} on standard error, status 2. */
  static void exitOnBadOptions(String program, IllegalArgumentException e) {
    System.err.println(program + ": " + e.getMessage());
    System.exit(2);
  }
}
