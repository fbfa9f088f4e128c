package dev.flotilla.transport;

import com.google.protobuf.UnsafeByteOperations;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.transport.proto.ArrayHeader;
import dev.flotilla.transport.proto.Chunk;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.transport.proto.MessageEnd;
import dev.flotilla.transport.proto.MessageStart;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.zip.CRC32;

/**
 * Turns a message into frames: {@code MessageStart}, the arrays' little-endian float32 bytes cut into {@code Chunk}s
 * of {@link #chunkBytes()} (the last one shorter), and {@code MessageEnd} with each array's CRC32.
 *
 * <p>Frames are produced lazily and each chunk is encoded straight from the tensors into a fresh byte array that the
 * frame then owns, so encoding needs memory for one chunk however large the model. Thread-safe: the encoder holds
 * only its chunk size; each {@link #encode} iterator is for one thread.
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

  /** The frames of {@code envelope}, computed as the iterator advances. */
  public Iterator<Frame> encode(Envelope envelope) {
    return new Frames(envelope);
  }

  /** The {@code MessageStart} frame of {@code envelope}. */
  private static MessageStart start(Envelope envelope) {
    Message m = envelope.message();
    MessageStart.Builder b = MessageStart.newBuilder()
        .setMessageId(envelope.messageId())
        .setReplyTo(envelope.replyTo())
        .setType(m.type())
        .addAllConfig(WireValues.toEntries(m.config()))
        .addAllMetrics(WireValues.toWire(m.metrics()));
    for (Tensor t : m.arrays().tensors()) {
      ArrayHeader.Builder h = ArrayHeader.newBuilder()
          .setName(t.name())
          .setDtype(Protocol.DTYPE_FLOAT32)
          .setByteLength(t.byteSize());
      for (int d : t.shape()) {
        h.addShape(d);
      }
      b.addArrays(h);
    }
    return b.build();
  }

  private final class Frames implements Iterator<Frame> {
    private final Envelope envelope;
    private final List<Tensor> tensors;
    private final int[] crcs;
    private final CRC32 crc = new CRC32();
    private final ByteBuffer scratch = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    private long remaining;
    private int tensor;
    private long offset; // bytes of tensors.get(tensor) already encoded
    private boolean started;
    private boolean ended;

    Frames(Envelope envelope) {
      this.envelope = envelope;
      this.tensors = envelope.message().arrays().tensors();
      this.crcs = new int[tensors.size()];
      this.remaining = envelope.message().arrays().byteSize();
    }

    @Override
    public boolean hasNext() {
      return !ended;
    }

    @Override
    public Frame next() {
      if (ended) {
        throw new NoSuchElementException("message " + envelope.messageId() + " is fully encoded");
      }
      if (!started) {
        started = true;
        return Frame.newBuilder().setStart(start(envelope)).build();
      }
      if (remaining > 0) {
        return Frame.newBuilder().setChunk(chunk()).build();
      }
      ended = true;
      finishCompleteTensors();
      MessageEnd.Builder end = MessageEnd.newBuilder().setMessageId(envelope.messageId());
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
        int element = (int) (offset >>> 2);
        int within = (int) (offset & 3);
        if (within == 0 && buf.remaining() >= 4) {
          int count = (int) Math.min(t.size() - element, buf.remaining() >>> 2);
          t.writeLittleEndian(buf, element, count);
        } else {
          // The chunk boundary splits a float: encode it aside and copy the bytes that fit.
          scratch.clear();
          t.writeLittleEndian(scratch, element, 1);
          buf.put(scratch.array(), within, Math.min(4 - within, buf.remaining()));
        }
        int written = buf.position() - from;
        crc.update(bytes, from, written);
        offset += written;
      }
      remaining -= n;
      return Chunk.newBuilder()
          .setMessageId(envelope.messageId())
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
