package dev.flotilla.core.compress;

import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.zip.CRC32C;

/**
 * What {@code +zstd} and {@code +lz4} share: the arrays of an inner codec packed into bytes ({@link ArrayPacking}),
 * compressed, and sent as one bytes array named after the compressor. The array holds a header (a magic number, the
 * packed length and its CRC32C) and the compressed bytes. Decoding refuses a packed length beyond what the expected
 * tensors can need before it allocates, then a compressed stream that does not decompress to exactly that length, a
 * checksum that does not match, and packed arrays that do not parse, each with an {@link IllegalArgumentException}.
 */
abstract class LosslessCodec implements Codec {
  private static final int MAGIC = 0x315a4c46; // "FLZ1" little-endian
  private static final int HEADER_BYTES = 12;
  private final Codec inner;

  LosslessCodec(Codec inner) {
    this.inner = Objects.requireNonNull(inner, "inner");
    if (inner instanceof LosslessCodec) {
      throw new IllegalArgumentException("lossless compression twice: " + inner.name() + " + " + compressor());
    }
  }

  /** The compressor's name, which is also the name of the payload's array: {@code zstd} or {@code lz4}. */
  abstract String compressor();

  /** {@code raw} compressed. */
  abstract byte[] compress(byte[] raw);

  /**
   * Decompresses {@code src[offset, offset + length)} into all of {@code dst}.
   *
   * @throws IllegalArgumentException if the stream is corrupt or does not fill {@code dst} exactly
   */
  abstract void decompress(byte[] src, int offset, int length, byte[] dst);

  /** The codec whose arrays are compressed. */
  public Codec inner() {
    return inner;
  }

  @Override
  public String name() {
    return inner.name() + "+" + compressor();
  }

  @Override
  public boolean sparse() {
    return inner.sparse();
  }

  @Override
  public boolean errorFeedback() {
    return inner.errorFeedback();
  }

  @Override
  public ModelWeights encode(ModelWeights values, Random random) {
    byte[] raw = ArrayPacking.pack(inner.encode(values, random));
    byte[] compressed = compress(raw);
    CRC32C crc = new CRC32C();
    crc.update(raw);
    ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + compressed.length).order(ByteOrder.LITTLE_ENDIAN);
    out.putInt(MAGIC).putInt(raw.length).putInt((int) crc.getValue()).put(compressed);
    return ModelWeights.of(Tensor.wrapBytes(new TensorSpec(compressor(), DType.BYTES, new int[] {out.capacity()}),
        out.array()));
  }

  @Override
  public ModelWeights decode(ModelWeights encoded, List<TensorSpec> specs) {
    return inner.decode(unpack(encoded, maxPackedBytes(specs)), specs);
  }

  @Override
  public List<TensorSpec> declaredSpecs(ModelWeights encoded) {
    return inner.declaredSpecs(unpack(encoded, Integer.MAX_VALUE - 8));
  }

  @Override
  public String toString() {
    return name();
  }

  /** The inner codec's arrays in {@code encoded}, whose packed form may be at most {@code maxBytes} long. */
  private ModelWeights unpack(ModelWeights encoded, long maxBytes) {
    if (encoded.count() != 1 || !encoded.has(compressor())) {
      throw problem("expected one bytes array named '" + compressor() + "', got " + encoded.specs());
    }
    Tensor payload = encoded.get(0);
    if (payload.dtype() != DType.BYTES || payload.shape().length != 1) {
      throw problem("array " + payload.spec() + " should be one-dimensional bytes");
    }
    ByteBuffer in = payload.bytes();
    if (in.remaining() < HEADER_BYTES) {
      throw problem("the payload is truncated: " + in.remaining() + " bytes, shorter than its header");
    }
    int magic = in.getInt(0);
    int rawLength = in.getInt(4);
    int checksum = in.getInt(8);
    if (magic != MAGIC) {
      throw problem(String.format("the payload does not start with the magic number (0x%08x)", magic));
    }
    if (rawLength < 4 || rawLength > maxBytes) {
      throw problem("the payload declares " + rawLength + " packed bytes; the expected tensors need at most "
          + maxBytes);
    }
    byte[] compressed = new byte[in.remaining() - HEADER_BYTES];
    in.position(HEADER_BYTES).get(compressed);
    byte[] raw = new byte[rawLength];
    try {
      decompress(compressed, 0, compressed.length, raw);
    } catch (IllegalArgumentException e) {
      throw problem("the payload is corrupt: " + e.getMessage());
    }
    CRC32C crc = new CRC32C();
    crc.update(raw);
    if ((int) crc.getValue() != checksum) {
      throw problem("the payload is corrupt: its checksum does not match");
    }
    try {
      return ArrayPacking.unpack(raw);
    } catch (IllegalArgumentException e) {
      throw problem(e.getMessage());
    }
  }

  /**
   * The longest packed form that an inner codec needs for {@code specs}: 8 bytes per value (a top-k index and value,
   * or int8 values and their scales, are fewer) and room for two array headers per tensor.
   */
  private static long maxPackedBytes(List<TensorSpec> specs) {
    long bytes = 1024;
    for (TensorSpec s : specs) {
      bytes += 8L * s.size() + 2L * (64 + 4L * s.shape().length + s.name().getBytes(StandardCharsets.UTF_8).length);
    }
    return Math.min(bytes, Integer.MAX_VALUE - 8);
  }

  private IllegalArgumentException problem(String what) {
    return new IllegalArgumentException(name() + ": " + what);
  }
}
