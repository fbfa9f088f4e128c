package dev.flotilla.core.compress;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.util.Native;

/**
 * {@code CODEC+zstd} (and {@code CODEC+zstd:LEVEL}): the arrays of another codec compressed with Zstandard (RFC 8878)
 * through zstd-jni, the JNI binding of the reference library. Lossless; worth most on int8 values and top-k indices,
 * little on float32 noise. Level 3 by default (zstd's own default), 1 to 19.
 */
public final class ZstdCodec extends LosslessCodec {
  /** The compressor's name. */
  public static final String NAME = "zstd";
  /** The level used when none is given. */
  public static final int DEFAULT_LEVEL = 3;
  private final int level;

  /**
   * {@code inner}'s arrays compressed at {@code level}.
   *
   * @throws IllegalArgumentException if the level is not in 1..19, {@code inner} is itself lossless, or zstd's native
   *                                  library cannot be loaded on this platform
   */
  public ZstdCodec(Codec inner, int level) {
    super(inner);
    if (level < 1 || level > 19) {
      throw new IllegalArgumentException("zstd: the level must be in 1..19, got " + level);
    }
    try {
      Native.load();
    } catch (UnsatisfiedLinkError | ExceptionInInitializerError e) {
      throw new IllegalArgumentException("zstd is not available on this platform: " + e);
    }
    this.level = level;
  }

  @Override
  String compressor() {
    return NAME;
  }

  @Override
  public String name() {
    return level == DEFAULT_LEVEL ? super.name() : super.name() + ":" + level;
  }

  @Override
  byte[] compress(byte[] raw) {
    return Zstd.compress(raw, level);
  }

  @Override
  void decompress(byte[] src, int offset, int length, byte[] dst) {
    long n;
    try {
      n = Zstd.decompressByteArray(dst, 0, dst.length, src, offset, length);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("zstd: " + e.getMessage());
    }
    if (Zstd.isError(n)) {
      throw new IllegalArgumentException("zstd: " + Zstd.getErrorName(n));
    }
    if (n != dst.length) {
      throw new IllegalArgumentException("zstd: decompressed to " + n + " bytes, not the " + dst.length + " declared");
    }
  }
}
