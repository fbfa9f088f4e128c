package dev.flotilla.transport;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.Metadata;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.transport.proto.Chunk;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.transport.proto.MessageEnd;
import dev.flotilla.transport.proto.WholeMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
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
 * bulk, with no copy but that one.
 *
 * <p>A message whose arrays fit in one chunk and in {@link Protocol#WHOLE_MESSAGE_ARRAY_BYTES} is one
 * {@code WholeMessage} frame instead ({@link Protocol#sentWhole}): the same start, bytes and CRCs.
 *
 * <p>A server sends the same model to many clients. An encoder made with a {@linkplain #MessageEncoder(int, long)
 * sharing limit} encodes the arrays of a message once, keeps the chunks' bytes and CRCs, and reuses them for every
 * later message that carries the very same tensors (the same {@link Tensor} instances in the same order), until a
 * message with other arrays replaces them: K clients then cost one encode and one CRC pass instead of K, for the
 * memory of one encoded copy of the model. Only the chunks' bytes are shared; every message still gets its own
 * frames and ids. Arrays larger than the limit are streamed chunk by chunk as above.
 *
 * <p>Thread-safe: each {@link #encode} iterator is for one thread; iterators of several threads may share an
 * encoding, which the first of them computes while the others wait for it.
 */
public final class MessageEncoder {
  private final int chunkBytes;
  private final long shareUpTo;
  private final AtomicReference<Shared> shared = new AtomicReference<>();

  /** An encoder that cuts array bytes into chunks of {@code chunkBytes} (1 to {@link Protocol#MAX_CHUNK_BYTES}). */
  public MessageEncoder(int chunkBytes) {
    this(chunkBytes, 0);
  }

  /**
   * An encoder that cuts array bytes into chunks of {@code chunkBytes} and encodes the arrays of messages of at most
   * {@code shareUpTo} array bytes once for every message that carries the same tensors (0: never).
   */
  public MessageEncoder(int chunkBytes, long shareUpTo) {
    this.chunkBytes = Protocol.checkChunkBytes(chunkBytes);
    if (shareUpTo < 0) {
      throw new IllegalArgumentException("the sharing limit must be 0 or more bytes, got " + shareUpTo);
    }
    this.shareUpTo = shareUpTo;
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
    ModelWeights arrays = message.arrays();
    if (Protocol.sentWhole(arrays.byteSize(), chunkBytes)) {
      return List.of(whole(message)).iterator();
    }
    if (arrays.byteSize() <= shareUpTo) {
      return new SharedFrames(message, encoding(arrays));
    }
    return new Frames(message);
  }

  /** {@code message} as one {@code WholeMessage} frame: its start, its one chunk's bytes (if any) and its CRCs. */
  private Frame whole(Message message) {
    WholeMessage.Builder whole = WholeMessage.newBuilder();
    Frames frames = new Frames(message);
    while (frames.hasNext()) {
      Frame f = frames.next();
      switch (f.getKindCase()) {
        case START -> whole.setStart(f.getStart());
        case CHUNK -> whole.setData(f.getChunk().getData());
        default -> whole.addAllCrc32(f.getEnd().getCrc32List());
      }
    }
    return Frame.newBuilder().setWhole(whole).build();
  }

  /** The chunks and CRCs of {@code arrays}: those kept from an earlier message with the same tensors, or new ones. */
  private Encoding encoding(ModelWeights arrays) {
    while (true) {
      Shared last = shared.get();
      if (last != null && last.carries(arrays.tensors())) {
        return last.encoding.join();
      }
      Shared mine = new Shared(arrays.tensors(), new CompletableFuture<>());
      if (shared.compareAndSet(last, mine)) {
        try {
          mine.encoding.complete(encodeAll(arrays));
        } catch (RuntimeException | Error e) {
          mine.encoding.completeExceptionally(e);
          shared.compareAndSet(mine, null);
          throw e;
        }
        return mine.encoding.join();
      }
    }
  }

  private Encoding encodeAll(ModelWeights arrays) {
    // The streaming encoder's own frames, for a message id of no consequence: only the bytes and CRCs are kept.
    Frames frames = new Frames(Message.of("shared").withArrays(arrays).withMetadata(Metadata.none().withIds(1, 0)));
    List<ByteString> chunks = new ArrayList<>();
    List<Integer> crcs = List.of();
    while (frames.hasNext()) {
      Frame f = frames.next();
      if (f.hasChunk()) {
        chunks.add(f.getChunk().getData());
      } else if (f.hasEnd()) {
        crcs = f.getEnd().getCrc32List();
      }
    }
    return new Encoding(List.copyOf(chunks), crcs);
  }

  /** The encoded bytes of one set of arrays: their chunks' data, in order, and one CRC32 per array. */
  private record Encoding(List<ByteString> chunks, List<Integer> crcs) {}

  /** The most recent shared encoding and the tensors it was made from. */
  private record Shared(List<Tensor> tensors, CompletableFuture<Encoding> encoding) {
    boolean carries(List<Tensor> other) {
      if (other.size() != tensors.size()) {
        return false;
      }
      for (int i = 0; i < other.size(); i++) {
        if (other.get(i) != tensors.get(i)) {
          return false;
        }
      }
      return true;
    }
  }

  /** The frames of a message whose chunks were encoded once and are shared; only the ids are this message's. */
  private static final class SharedFrames implements Iterator<Frame> {
    private final Message message;
    private final long id;
    private final Encoding encoding;
    private int next = -1; // -1: the start frame; then chunks; then the end frame
    private boolean ended;

    SharedFrames(Message message, Encoding encoding) {
      this.message = message;
      this.id = message.metadata().messageId();
      this.encoding = encoding;
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
      if (next < 0) {
        next = 0;
        return Frame.newBuilder().setStart(HeaderCodec.encode(message)).build();
      }
      if (next < encoding.chunks().size()) {
        ByteString data = encoding.chunks().get(next++);
        return Frame.newBuilder().setChunk(Chunk.newBuilder().setMessageId(id).setData(data)).build();
      }
      ended = true;
      return Frame.newBuilder().setEnd(MessageEnd.newBuilder().setMessageId(id).addAllCrc32(encoding.crcs())).build();
    }
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
