package dev.flotilla.transport;

import dev.flotilla.core.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Where one chunk's bytes lie in a message's arrays: {@code length} bytes of their concatenated wire form, starting
 * {@code offset} bytes into tensor {@code tensor}. A chunk is written from the tensors whenever it is needed (they are
 * immutable), into an array of its own or piece by piece through a small scratch array; the pieces never straddle
 * two tensors, so a checksum per tensor can follow them.
 */
record ChunkSource(List<Tensor> tensors, int tensor, long offset, int length) {
  /** The size of the scratch arrays that chunks are written through. */
  static final int SCRATCH_BYTES = 64 * 1024;

  private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[SCRATCH_BYTES]);

  /** Receives the bytes of a chunk, in order, in pieces that each lie in one tensor. */
  @FunctionalInterface
  interface Pieces {
    void accept(int tensor, byte[] bytes, int from, int count) throws IOException;
  }

  /** Pieces that nothing needs to see. */
  static final Pieces IGNORED = (t, bytes, from, count) -> { };

  /** This thread's scratch array ({@value #SCRATCH_BYTES} bytes), for {@link #write} calls that do not nest. */
  static byte[] scratch() {
    return SCRATCH.get();
  }

  /** The chunk's bytes in an array of their own. */
  byte[] toBytes() {
    byte[] bytes = new byte[length];
    write(bytes, IGNORED);
    return bytes;
  }

  /**
   * Writes the chunk's bytes into {@code into} and hands each piece to {@code pieces}: all of them one after
   * another if {@code into} can hold the chunk, else each piece from its start (then {@code into} is a scratch).
   */
  void write(byte[] into, Pieces pieces) {
    try {
      writeOrFail(into, pieces);
    } catch (IOException e) {
      throw new IllegalStateException("writing a chunk into an array cannot fail", e);
    }
  }

  /** As {@link #write}, for pieces that go to a stream. */
  void writeOrFail(byte[] into, Pieces pieces) throws IOException {
    boolean whole = into.length >= length;
    ByteBuffer buf = ByteBuffer.wrap(into).order(ByteOrder.LITTLE_ENDIAN);
    int t = tensor;
    long from = offset;
    int done = 0;
    while (done < length) {
      Tensor x = tensors.get(t);
      if (from == x.byteSize()) {
        t++;
        from = 0;
        continue;
      }
      int at = whole ? done : 0;
      int n = (int) Math.min(Math.min(length - done, x.byteSize() - from), into.length - at);
      buf.position(at);
      x.writeBytes(buf, from, n);
      pieces.accept(t, into, at, n);
      from += n;
      done += n;
    }
  }

  /** Walks a message's arrays chunk by chunk. */
  static final class Cursor {
    private final List<Tensor> tensors;
    private int tensor;
    private long offset; // bytes of tensors.get(tensor) already taken
    private long remaining;

    Cursor(List<Tensor> tensors, long byteSize) {
      this.tensors = tensors;
      this.remaining = byteSize;
    }

    boolean hasRemaining() {
      return remaining > 0;
    }

    /** The next chunk, of {@code chunkBytes} or what is left if less. */
    ChunkSource take(int chunkBytes) {
      int n = (int) Math.min(chunkBytes, remaining);
      skipComplete();
      ChunkSource chunk = new ChunkSource(tensors, tensor, offset, n);
      long left = n;
      while (left > 0) {
        skipComplete();
        long k = Math.min(left, tensors.get(tensor).byteSize() - offset);
        offset += k;
        left -= k;
      }
      remaining -= n;
      return chunk;
    }

    private void skipComplete() {
      while (tensor < tensors.size() && offset == tensors.get(tensor).byteSize()) {
        tensor++;
        offset = 0;
      }
    }
  }
}
