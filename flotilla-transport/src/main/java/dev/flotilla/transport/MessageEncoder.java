package dev.flotilla.transport;

import com.google.protobuf.UnsafeByteOperations;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.transport.proto.Chunk;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.transport.proto.MessageEnd;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.zip.CRC32;

/**
 * Turns a message into frames: {@code MessageStart} (type, {@link dev.flotilla.core.message.Metadata}, config,
 * metrics, array headers, error), the arrays' little-endian bytes cut into {@code Chunk}s of {@link #chunkBytes()}
 * (the last one shorter), and {@code MessageEnd} with each array's CRC32. Arrays of every
 * {@link dev.flotilla.core.tensor.DType} travel in their wire form; a chunk may end inside a value.
 *
 * <p>The message's ids come from its metadata: {@code messageId} must be positive (the sender assigns it, see
 * {@link dev.flotilla.core.message.Metadata#withIds}), {@code replyTo} is the request answered or 0.
 *
 * <p>Frames are produced lazily and each chunk is encoded straight from the tensors into a fresh byte array that the
 * frame then owns, so encoding needs memory for one chunk however large the model; float32 values are converted in
 * bulk, with no copy but that one. Thread-safe: the encoder holds only its chunk size; each {@link #encode}
 * iterator is for one thread.
 */
public final class MessageEncoder {
  private final int chunkBytes;

  /** An encoder that cuts array bytes into chunks of {@code chunkBytes} (1 to {@link Protocol#MAX_CHUNK_BYTES}). */
  public MessageEncoder(int chunkBytes) {
    this.chunkBytes = Protocol.checkChunkBytes(chunkBytes);
  }

  /** The size of every chunk but the last of a message. */
  public int chunkBytes() {
    return chunkBytes;
  }

  /**
   * The frames of {@code message}, computed as the iterator advances.
   *
   * @throws IllegalArgumentException if the message id in its metadata is not positive
   */
  public Iterator<Frame> encode(Message message) {
    long id = message.metadata().messageId();
    if (id <= 0) {
      throw new IllegalArgumentException("a message needs a positive message id to be sent, got " + id
          + " on a '" + message.type() + "' message; set it with Metadata.withIds");
    }
    return new Frames(message);
  }

  private final class Frames implements Iterator<Frame> {
    private final Message message;
    private final long id;
    private final List<Tensor> tensors;
    private final int[] crcs;
    private final CRC32 crc = new CRC32();
    private long remaining;
    private int tensor;
    private long offset; // bytes of tensors.get(tensor) already encoded
    private boolean started;
    private boolean ended;

    Frames(Message message) {
      this.message = message;
      this.id = message.metadata().messageId();
      this.tensors = message.arrays().tensors();
      this.crcs = new int[tensors.size()];
      this.remaining = message.arrays().byteSize();
    }

    @Override
    public boolean hasNext() {
      return !ended;
    }

    @Override
    public Frame next() {
      if (ended) {
        throw new NoSuchElementException("message " + id + " is fully encoded");
      }
      if (!started) {
        started = true;
        return Frame.newBuilder().setStart(HeaderCodec.encode(message)).build();
      }
      if (remaining > 0) {
        return Frame.newBuilder().setChunk(chunk()).build();
      }
      ended = true;
      finishCompleteTensors();
      MessageEnd.Builder end = MessageEnd.newBuilder().setMessageId(id);
      for (int c : crcs) {
        end.addCrc32(c);
      }
      return Frame.newBuilder().setEnd(end).build();
    }

    private Chunk chunk() {
      int n = (int) Math.min(chunkBytes, remaining);
      byte[] bytes = new byte[n];
      ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      while (buf.hasRemaining()) {
        finishCompleteTensors();
        Tensor t = tensors.get(tensor);
        int from = buf.position();
        int count = (int) Math.min(buf.remaining(), t.byteSize() - offset);
        // float32: whole values in bulk through a float view, a value split by the chunk edge byte by byte.
        t.writeBytes(buf, offset, count);
        crc.update(bytes, from, count);
        offset += count;
      }
      remaining -= n;
      return Chunk.newBuilder()
          .setMessageId(id)
          .setData(UnsafeByteOperations.unsafeWrap(bytes))
          .build();
    }

    /** Moves past every tensor whose bytes are all encoded (empty ones included), recording its CRC. */
    private void finishCompleteTensors() {
      while (tensor < tensors.size() && offset == tensors.get(tensor).byteSize()) {
        crcs[tensor++] = (int) crc.getValue();
        crc.reset();
        offset = 0;
      }
    }
  }
}
