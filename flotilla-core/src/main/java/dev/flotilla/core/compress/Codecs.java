package dev.flotilla.core.compress;

import java.util.Locale;

/**
 * The codecs by name, the one place that turns a name into a {@link Codec}; {@link Codec#name()} gives the name
 * back. A name is a base codec, optionally followed by a lossless compressor:
 *
 * <ul>
 *   <li>{@code none}: float32 as it is; {@code fp16}, {@code bf16}: 16-bit floats; {@code int8}: linear quantisation
 *       per output channel, {@code int8:stochastic} with unbiased stochastic rounding; {@code topk:RATIO}: the
 *       largest RATIO of each tensor's values, with error feedback, {@code topk:RATIO:noef} without;
 *   <li>{@code +zstd} (or {@code +zstd:LEVEL}) or {@code +lz4} after any of them, such as {@code int8+zstd};
 *       {@code zstd} or {@code lz4} alone compress float32 ({@code none+zstd}).
 * </ul>
 */
public final class Codecs {
  /** The names {@link #parse} takes, for help texts and errors. */
  public static final String KNOWN = "none, fp16, bf16, int8, int8:stochastic, topk:RATIO, topk:RATIO:noef, each"
      + " optionally followed by +zstd, +zstd:LEVEL or +lz4";

  private Codecs() {}

  /**
   * The codec called {@code name}.
   *
   * @throws IllegalArgumentException naming the bad part and the known names
   */
  public static Codec parse(String name) {
    String spec = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    int plus = spec.indexOf('+');
    String base = plus < 0 ? spec : spec.substring(0, plus);
    if (plus < 0 && (base.equals(Lz4Codec.NAME) || base.startsWith(ZstdCodec.NAME))) {
      return lossless(new IdentityCodec(), base, name);
    }
    Codec codec = base(base, name);
    return plus < 0 ? codec : lossless(codec, spec.substring(plus + 1), name);
  }

  private static Codec base(String base, String name) {
    String[] parts = base.split(":", -1);
    switch (parts[0]) {
      case IdentityCodec.NAME, Float16Codec.NAME, Bfloat16Codec.NAME -> {
        if (parts.length == 1) {
          return parts[0].equals(IdentityCodec.NAME) ? new IdentityCodec()
              : parts[0].equals(Float16Codec.NAME) ? new Float16Codec() : new Bfloat16Codec();
        }
      }
      case Int8Codec.NAME -> {
        if (parts.length == 1 || parts.length == 2 && parts[1].equals("stochastic")) {
          return new Int8Codec(parts.length == 2);
        }
      }
      case TopKCodec.NAME -> {
        if (parts.length == 2 || parts.length == 3 && parts[2].equals("noef")) {
          return new TopKCodec(number(parts[1], name), parts.length == 2);
        }
      }
      default -> {
      }
    }
    throw unknown(name);
  }

  private static Codec lossless(Codec inner, String compressor, String name) {
    if (compressor.equals(Lz4Codec.NAME)) {
      return new Lz4Codec(inner);
    }
    if (compressor.equals(ZstdCodec.NAME)) {
      return new ZstdCodec(inner, ZstdCodec.DEFAULT_LEVEL);
    }
    if (compressor.startsWith(ZstdCodec.NAME + ":")) {
      String level = compressor.substring(ZstdCodec.NAME.length() + 1);
      try {
        return new ZstdCodec(inner, Integer.parseInt(level));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("codec '" + name + "': the zstd level '" + level + "' is not an integer");
      }
    }
    throw unknown(name);
  }

  private static double number(String text, String name) {
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("codec '" + name + "': the top-k ratio '" + text + "' is not a number");
    }
  }

  private static IllegalArgumentException unknown(String name) {
    return new IllegalArgumentException("unknown codec '" + name + "'; known: " + KNOWN);
  }
}
