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
import java.util.concurrent.CompletionException;
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
 * message that carries the very same tensors (the same {@link Tensor} instances in the same order) while any message
 * sharing them is still being sent: K clients sent to at once cost one encode and one CRC pass instead of K, for the
 * memory of one encoded copy of the model, which is dropped as soon as the last of them is sent or
 * {@linkplain MessageFrames#close closed} (a server then holds it while the model goes out, not while the results
 * come back). A message with the same tensors encoded after that is encoded anew. Only the chunks' bytes are shared;
 * every message still gets its own frames and ids. Arrays larger than the limit are streamed chunk by chunk as above.
 *
 * <p>Thread-safe: each {@link #encode} iterator is for one thread; iterators of several threads may share an
 * encoding, which the first of them computes while the others wait for it.
 */
public final class MessageEncoder {
  private final int chunkBytes;
  private final long shareUpTo;
  private Shared shared; // the encoding being sent, if any; guarded by this

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
   * The frames of a message, computed as they are taken. Close it if it is abandoned before its last frame (a send
   * that failed), so that an encoding it shares is not kept for it; closing is harmless otherwise.
   */
  public interface MessageFrames extends Iterator<Frame>, AutoCloseable {
    /** Lets go of the shared encoding these frames use, if any; the frames must not be taken afterwards. */
    @Override
    void close();
  }

  /**
   * The frames of {@code message}, computed as the iterator advances.
   *
   * @throws IllegalArgumentException if the message id in its metadata is not positive
   */
  public MessageFrames encode(Message message) {
    long id = message.metadata().messageId();
    if (id <= 0) {
      throw new IllegalArgumentException("a message needs a positive message id to be sent, got " + id
          + " on a '" + message.type() + "' message; set it with Metadata.withIds");
    }
    ModelWeights arrays = message.arrays();
    if (Protocol.sentWhole(arrays.byteSize(), chunkBytes)) {
      return new OneFrame(whole(message));
    }
    if (arrays.byteSize() <= shareUpTo) {
      Shared s = acquire(arrays);
      try {
        return new SharedFrames(message, s.encoding.join(), () -> release(s));
      } catch (CompletionException e) { // the thread that computed the encoding failed: each user fails alike
        release(s);
        if (e.getCause() instanceof Error error) {
          throw error;
        }
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
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

  /**
   * The shared encoding of {@code arrays}, counted as used once more: the one being sent if it carries the same
   * tensors, else a new one, which this thread computes (and which replaces the old one for later messages).
   */
  private Shared acquire(ModelWeights arrays) {
    Shared s;
    boolean mine = false;
    synchronized (this) {
      if (shared == null || !shared.carries(arrays.tensors())) {
        shared = new Shared(arrays.tensors(), new CompletableFuture<>());
        mine = true;
      }
      s = shared;
      s.users++;
    }
    if (mine) {
      try {
        s.encoding.complete(encodeAll(arrays));
      } catch (RuntimeException | Error e) {
        s.encoding.completeExceptionally(e);
      }
    }
    return s;
  }

  /** One user fewer of {@code s}; the last one drops it, unless another encoding has already replaced it. */
  private synchronized void release(Shared s) {
    if (--s.users == 0 && shared == s) {
      shared = null;
    }
  }

  /** Whether an encoding is being shared (for tests). */
  synchronized boolean sharing() {
    return shared != null;
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

  /** A shared encoding, the tensors it was made from, and how many messages being sent use it. */
  private static final class Shared {
    final List<Tensor> tensors;
    final CompletableFuture<Encoding> encoding;
    int users; // guarded by the encoder

    Shared(List<Tensor> tensors, CompletableFuture<Encoding> encoding) {
      this.tensors = tensors;
      this.encoding = encoding;
    }

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

  /** A message that is one {@code WholeMessage} frame. */
  private static final class OneFrame implements MessageFrames {
    private Frame frame;

    OneFrame(Frame frame) {
      this.frame = frame;
    }

    @Override
    public boolean hasNext() {
      return frame != null;
    }

    @Override
    public Frame next() {
      if (frame == null) {
        throw new NoSuchElementException("the message is fully encoded");
      }
      Frame f = frame;
      frame = null;
      return f;
    }

    @Override
    public void close() {
      frame = null;
    }
  }

  /**
   * The frames of a message whose chunks were encoded once and are shared; only the ids are this message's. Lets go
   * of the encoding once its end frame is taken, or when closed.
   */
  private static final class SharedFrames implements MessageFrames {
    private final Message message;
    private final long id;
    private Encoding encoding;
    private Runnable release;
    private int next = -1; // -1: the start frame; then chunks; then the end frame
    private boolean ended;

    SharedFrames(Message message, Encoding encoding, Runnable release) {
      this.message = message;
      this.id = message.metadata().messageId();
      this.encoding = encoding;
      this.release = release;
    }

    @Override
    public void close() {
      ended = true;
      encoding = null;
      if (release != null) {
        Runnable r = release;
        release = null;
        r.run();
      }
    }

    @Override
    public boolean hasNext() {
      return !ended;
    }

    @Override
    public Frame next() {
      if (ended) {
        throw new NoSuchElementException("message " + id + " is fully encoded or closed");
      }
      if (next < 0) {
        next = 0;
        return Frame.newBuilder().setStart(HeaderCodec.encode(message)).build();
      }
      if (next < encoding.chunks().size()) {
        ByteString data = encoding.chunks().get(next++);
        return Frame.newBuilder().setChunk(Chunk.newBuilder().setMessageId(id).setData(data)).build();
      }
      Frame end = Frame.newBuilder().setEnd(MessageEnd.newBuilder().setMessageId(id).addAllCrc32(encoding.crcs()))
          .build();
      close();
      return end;
    }
  }

  private final class Frames implements MessageFrames {
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
    public void close() {
      ended = true;
    }

    @Override
    public Frame next() {
      if (ended) {
        throw new NoSuchElementException("message " + id + " is fully encoded or closed");
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
