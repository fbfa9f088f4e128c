package dev.flotilla.core.compress;

import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;

/**
 * {@code CODEC+lz4}: the arrays of another codec compressed as one LZ4 block through lz4-java (the maintained
 * {@code at.yawk.lz4} line). Lossless; faster than zstd and compresses less. Decompression uses lz4-java's safe
 * decompressor, which checks every offset of the untrusted stream.
 */
public final class Lz4Codec extends LosslessCodec {
  /** The compressor's name. */
  public static final String NAME = "lz4";
  private final LZ4Factory lz4 = LZ4Factory.fastestInstance();

  /**
   * {@code inner}'s arrays compressed with LZ4.
   *
   * @throws IllegalArgumentException if {@code inner} is itself lossless
   */
  public Lz4Codec(Codec inner) {
    super(inner);
  }

  @Override
  String compressor() {
    return NAME;
  }

  @Override
  byte[] compress(byte[] raw) {
    return lz4.fastCompressor().compress(raw);
  }

  @Override
  void decompress(byte[] src, int offset, int length, byte[] dst) {
    int n;
    try {
      n = lz4.safeDecompressor().decompress(src, offset, length, dst, 0, dst.length);
    } catch (LZ4Exception e) {
      throw new IllegalArgumentException("lz4: " + e.getMessage());
    }
    if (n != dst.length) {
      throw new IllegalArgumentException("lz4: decompressed to " + n + " bytes, not the " + dst.length + " declared");
    }
  }
}
