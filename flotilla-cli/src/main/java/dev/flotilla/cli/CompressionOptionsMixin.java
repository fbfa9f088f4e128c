package dev.flotilla.cli;

import dev.flotilla.core.compress.IdentityCodec;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The compression options of {@code server}, {@code demo} and {@code simulate}: the codec of clients' updates and
 * whether the server's model is compressed too, as a {@link CompressionChoice}. Clients need no option: the server
 * names the codec in each instruction.
 */
final class CompressionOptionsMixin {
  @Option(names = "--compress", defaultValue = IdentityCodec.NAME,
      description = "Codec of clients' updates: none, fp16, bf16, int8, int8:stochastic, topk:RATIO (error feedback),"
          + " topk:RATIO:noef, each optionally +zstd, +zstd:LEVEL or +lz4 (default: ${DEFAULT-VALUE}).")
  String compress;

  @Option(names = "--compress-down",
      description = "Also send the global model with the --compress codec (fp16, bf16 or int8; not topk).")
  boolean compressDown;

  /**
   * The compression chosen, or null for none; a bad choice gets a one-line error naming it.
   *
   * @throws IllegalArgumentException for an unknown codec, {@code --compress-down} without a codec or with top-k
   */
  CompressionChoice choice() {
    if (compress.trim().toLowerCase(Locale.ROOT).equals(IdentityCodec.NAME)) {
      if (compressDown) {
        throw new IllegalArgumentException("--compress-down needs a codec: give --compress fp16, bf16 or int8");
      }
      return null;
    }
    CompressionChoice choice = new CompressionChoice(compress, compressDown);
    choice.validate();
    return choice;
  }
}
