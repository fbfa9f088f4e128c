package dev.flotilla.cli;

import dev.flotilla.core.compress.Codec;
import dev.flotilla.core.compress.Codecs;
import dev.flotilla.core.compress.Compression;
import dev.flotilla.core.strategy.Strategy;
import java.util.Objects;

/**
 * The compression a run uses, as the command line chose it ({@code --compress NAME}, {@code --compress-down}): the
 * codec of clients' updates, also used for the model the server sends when {@code down} is set.
 *
 * @param codec a name {@link Codecs#parse} takes, other than {@code none}
 * @param down  whether the server also sends the global model encoded
 */
record CompressionChoice(String codec, boolean down) {
  CompressionChoice {
    Objects.requireNonNull(codec, "codec");
  }

  /**
   * Checks the choice, with a one-line error naming the problem: an unknown codec, or a sparse one (top-k) for what
   * the server sends.
   */
  void validate() {
    Codec parsed = Codecs.parse(codec);
    if (down && parsed.sparse()) {
      throw new IllegalArgumentException("--compress-down: " + parsed.name() + " sparsifies updates and cannot carry"
          + " the global model to clients; use fp16, bf16 or int8 (with or without +zstd or +lz4)");
    }
  }

  /** {@code strategy} with this compression; call {@link #validate} first. */
  Strategy wrap(Strategy strategy) {
    Codec parsed = Codecs.parse(codec);
    return new Compression(strategy, parsed, down ? parsed : null);
  }

  /** A short description for logs, summaries and chart titles, such as {@code compress int8+zstd both ways}. */
  String describe() {
    return "compress " + Codecs.parse(codec).name() + (down ? " both ways" : "");
  }
}
