package dev.flotilla.bench;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.flotilla.transport.WireValues;
import dev.flotilla.transport.proto.ArrayHeader;
import dev.flotilla.transport.proto.Chunk;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.transport.proto.MessageStart;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.zip.CRC32;

/**
 * A measuring prototype, not a decoder to use: how fast W2's server step could be if an upload were folded into
 * the running mean chunk by chunk as it arrives, instead of being decoded into a model of its own first. For each
 * chunk it computes the CRC32 on the chunk's own array (reached through
 * {@link UnsafeByteOperations#unsafeWriteTo}, with no copy) and converts the floats into a small reusable scratch
 * array that stays in cache, then adds them into the accumulator. Nothing model-sized is allocated per upload.
 *
 * <p>It does the arithmetic of {@link dev.flotilla.core.aggregate.WeightedMean} in the same order (the first
 * upload copied in, weights normalised by the first, a final division), so the result is bit-identical; {@link
 * WholeStepBenchmark} checks that. It handles only what W2 sends: float32 arrays whose bytes never split a value
 * across chunks; anything else throws. The CRCs are computed but, to keep the prototype small, compared with the
 * {@code MessageEnd} ones by the caller.
 */
final class ChunkFoldPrototype {
  private final float[][] acc;
  private final float[] scratch;
  private final CRC32 crc = new CRC32();
  private final long[] crcs;
  private double scale = Double.NaN;
  private double total;
  private float weight;
  private boolean first;
  private int array;
  private int element; // next element of the current array

  /** A mean over arrays of {@code sizes} elements, folding chunks of at most {@code chunkBytes}. */
  ChunkFoldPrototype(int[] sizes, int chunkBytes) {
    acc = new float[sizes.length][];
    for (int i = 0; i < sizes.length; i++) {
      acc[i] = new float[sizes[i]];
    }
    scratch = new float[chunkBytes / 4];
    crcs = new long[sizes.length];
  }

  /** Folds one upload given as its frames; returns the CRC32 of each array as computed. */
  long[] fold(List<Frame> frames) {
    for (Frame f : frames) {
      switch (f.getKindCase()) {
        case START -> begin(f.getStart());
        case CHUNK -> take(f.getChunk());
        case END -> finishArrays();
        default -> throw new IllegalArgumentException("unexpected " + f.getKindCase());
      }
    }
    return crcs.clone();
  }

  /** Divides out the weights; the accumulators are the mean afterwards. */
  float[][] result() {
    float inv = (float) (1.0 / total);
    for (float[] a : acc) {
      for (int j = 0; j < a.length; j++) {
        a[j] *= inv;
      }
    }
    return acc;
  }

  private void begin(MessageStart s) {
    for (ArrayHeader h : s.getArraysList()) {
      if (h.getDtypeValue() != 1) {
        throw new IllegalArgumentException("the prototype takes float32 arrays only");
      }
    }
    double examples = WireValues.toConfig(s.getConfigList()).getLong("num_examples", -1);
    first = Double.isNaN(scale);
    if (first) {
      scale = examples;
      total = 1;
      weight = 1;
    } else {
      weight = (float) (examples / scale);
      total += weight;
    }
    array = 0;
    element = 0;
    crc.reset();
  }

  private void take(Chunk c) {
    ByteString data = c.getData();
    try {
      UnsafeByteOperations.unsafeWriteTo(data, new ByteOutput() {
        @Override
        public void write(byte value) {
          throw new IllegalArgumentException("single bytes are not expected");
        }

        @Override
        public void write(byte[] value, int offset, int length) {
          fold(value, offset, length);
        }

        @Override
        public void writeLazy(byte[] value, int offset, int length) {
          fold(value, offset, length);
        }

        @Override
        public void write(ByteBuffer value) {
          throw new IllegalArgumentException("direct chunks are not expected");
        }

        @Override
        public void writeLazy(ByteBuffer value) {
          write(value);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void fold(byte[] bytes, int offset, int length) {
    int at = offset;
    int end = offset + length;
    while (at < end) {
      finishArrays();
      float[] a = acc[array];
      int n = Math.min((end - at) / 4, a.length - element);
      if (n == 0) {
        throw new IllegalArgumentException("a value is split across chunks");
      }
      crc.update(bytes, at, 4 * n);
      ByteBuffer.wrap(bytes, at, 4 * n).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(scratch, 0, n);
      if (first) {
        System.arraycopy(scratch, 0, a, element, n);
      } else {
        float w = weight;
        for (int i = 0; i < n; i++) {
          a[element + i] += w * scratch[i];
        }
      }
      element += n;
      at += 4 * n;
    }
  }

  private void finishArrays() {
    while (array < acc.length && element == acc[array].length) {
      crcs[array++] = crc.getValue();
      crc.reset();
      element = 0;
    }
  }
}
