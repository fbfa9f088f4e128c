package dev.flotilla.transport;

import com.google.protobuf.UnsafeByteOperations;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.transport.proto.Chunk;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.transport.proto.MessageEnd;
import dev.flotilla.transport.proto.WholeMessage;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
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
 * <p>Frames are produced lazily. {@link #encode} writes each chunk straight from the tensors into a fresh byte array
 * that the frame then owns, so encoding needs memory for one chunk however large the model; float32 values are
 * converted in bulk, with no copy but that one. The frames a {@link FrameSender} sends are <em>drawn</em> instead
 * ({@link FrameMarshaller#drawnChunk}): a chunk frame is a placeholder whose bytes are written from the tensors into
 * gRPC's buffers when gRPC serialises it, so sending allocates no chunk-sized arrays at all; the CRCs are computed
 * beforehand through a small scratch array.
 *
 * <p>A message whose arrays fit in one chunk and in {@link Protocol#WHOLE_MESSAGE_ARRAY_BYTES} is one
 * {@code WholeMessage} frame instead ({@link Protocol#sentWhole}): the same start, bytes and CRCs.
 *
 * <p>A server sends the same model to many clients. An encoder made with a {@linkplain #MessageEncoder(int, long)
 * sharing limit} computes the CRCs of a message's arrays once and reuses them for every message that carries the
 * very same tensors (the same {@link Tensor} instances in the same order) while any message sharing them is still
 * being sent: K clients sent to at once cost one CRC pass instead of K. The CRCs are dropped as soon as the last of
 * those messages is sent or {@linkplain MessageFrames#close closed}; a message with the same tensors encoded after
 * that computes them anew. Every message still gets its own frames and ids. Arrays larger than the limit have their
 * CRCs computed chunk by chunk as they are encoded.
 *
 * <p>Thread-safe: each {@link #encode} iterator is for one thread; iterators of several threads may share CRCs,
 * which the first of them computes while the others wait for them.
 */
public final class MessageEncoder {
  private final int chunkBytes;
  private final long shareUpTo;
  private final AtomicInteger crcPasses = new AtomicInteger(); // shared CRCs computed, for tests
  private Shared shared; // the CRCs of the arrays being sent, if any; guarded by this

  /** An encoder that cuts array bytes into chunks of {@code chunkBytes} (1 to {@link Protocol#MAX_CHUNK_BYTES}). */
  public MessageEncoder(int chunkBytes) {
    this(chunkBytes, 0);
  }

  /**
   * An encoder that cuts array bytes into chunks of {@code chunkBytes} and computes the CRCs of messages of at most
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
   * that failed), so that CRCs it shares are not kept for it; closing is harmless otherwise.
   */
  public interface MessageFrames extends Iterator<Frame>, AutoCloseable {
    /** Lets go of the CRCs these frames share, if any; the frames must not be taken afterwards. */
    @Override
    void close();
  }

  /**
   * The frames of {@code message}, computed as the iterator advances, each chunk's bytes in an array of its own.
   *
   * @throws IllegalArgumentException if the message id in its metadata is not positive
   */
  public MessageFrames encode(Message message) {
    return encode(message, false);
  }

  /**
   * The frames of {@code message} with <em>drawn</em> chunks, for {@link FrameSender}: placeholders that
   * {@link FrameMarshaller} writes from the tensors when gRPC serialises them, and that must go to gRPC alone.
   */
  MessageFrames encodeDrawn(Message message) {
    return encode(message, true);
  }

  private MessageFrames encode(Message message, boolean drawn) {
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
        return new Frames(message, drawn, s.crcs.join(), () -> release(s));
      } catch (CompletionException e) { // the thread that computed the CRCs failed: each user fails alike
        release(s);
        if (e.getCause() instanceof Error error) {
          throw error;
        }
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
    return new Frames(message, drawn, null, () -> { });
  }

  /** {@code message} as one {@code WholeMessage} frame: its start, its one chunk's bytes (if any) and its CRCs. */
  private Frame whole(Message message) {
    WholeMessage.Builder whole = WholeMessage.newBuilder();
    Frames frames = new Frames(message, false, null, () -> { });
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
   * The shared CRCs of {@code arrays}, counted as used once more: those being sent if they are of the same tensors,
   * else new ones, which this thread computes (and which replace the old ones for later messages).
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
        crcPasses.incrementAndGet();
        s.crcs.complete(checksums(arrays));
      } catch (RuntimeException | Error e) {
        s.crcs.completeExceptionally(e);
      }
    }
    return s;
  }

  /** One user fewer of {@code s}; the last one drops it, unless others have already replaced it. */
  private synchronized void release(Shared s) {
    if (--s.users == 0 && shared == s) {
      shared = null;
    }
  }

  /** Whether CRCs are being shared (for tests). */
  synchronized boolean sharing() {
    return shared != null;
  }

  /** How many times shared CRCs were computed (for tests). */
  int sharedCrcPasses() {
    return crcPasses.get();
  }

  /**
   * The CRC32 of each array of {@code arrays} over its wire bytes, as a {@code MessageEnd} carries them: all that a
   * sender computes before a model's chunks are drawn. Computed through this thread's scratch array.
   */
  public static List<Integer> checksums(ModelWeights arrays) {
    Checksums sums = new Checksums(arrays.count());
    ChunkSource.Cursor cursor = new ChunkSource.Cursor(arrays.tensors(), arrays.byteSize());
    byte[] scratch = ChunkSource.scratch();
    while (cursor.hasRemaining()) {
      cursor.take(scratch.length).write(scratch, sums);
    }
    return sums.finish();
  }

  /** The CRC32 of each tensor, from the pieces of its bytes in order. */
  private static final class Checksums implements ChunkSource.Pieces {
    private final int[] crcs;
    private final CRC32 crc = new CRC32();
    private int tensor; // the tensor whose bytes the CRC is of

    Checksums(int count) {
      this.crcs = new int[count];
    }

    @Override
    public void accept(int t, byte[] bytes, int from, int count) {
      finishUpTo(t);
      crc.update(bytes, from, count);
    }

    /** Records the CRC of every tensor before {@code t}, empty ones included. */
    private void finishUpTo(int t) {
      while (tensor < t) {
        crcs[tensor++] = (int) crc.getValue();
        crc.reset();
      }
    }

    List<Integer> finish() {
      finishUpTo(crcs.length);
      return Arrays.stream(crcs).boxed().toList();
    }
  }

  /** Shared CRCs, the tensors they were computed from, and how many messages being sent use them. */
  private static final class Shared {
    final List<Tensor> tensors;
    final CompletableFuture<List<Integer>> crcs;
    int users; // guarded by the encoder

    Shared(List<Tensor> tensors, CompletableFuture<List<Integer>> crcs) {
      this.tensors = tensors;
      this.crcs = crcs;
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
   * The start, chunks and end of a message. The CRCs are known beforehand (shared) or computed from the chunks'
   * bytes as they are encoded; {@code release} runs once, when the end frame is taken or the frames are closed.
   */
  private final class Frames implements MessageFrames {
    private final Message message;
    private final long id;
    private final boolean drawn;
    private final ChunkSource.Cursor cursor;
    private final List<Integer> knownCrcs;
    private final Checksums checksums;
    private Runnable release;
    private boolean started;
    private boolean ended;

    Frames(Message message, boolean drawn, List<Integer> knownCrcs, Runnable release) {
      this.message = message;
      this.id = message.metadata().messageId();
      this.drawn = drawn;
      this.cursor = new ChunkSource.Cursor(message.arrays().tensors(), message.arrays().byteSize());
      this.knownCrcs = knownCrcs;
      this.checksums = knownCrcs == null ? new Checksums(message.arrays().count()) : null;
      this.release = release;
    }

    @Override
    public boolean hasNext() {
      return !ended;
    }

    @Override
    public void close() {
      ended = true;
      if (release != null) {
        Runnable r = release;
        release = null;
        r.run();
      }
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
      if (cursor.hasRemaining()) {
        return chunk(cursor.take(chunkBytes));
      }
      List<Integer> crcs = knownCrcs != null ? knownCrcs : checksums.finish();
      close();
      return Frame.newBuilder().setEnd(MessageEnd.newBuilder().setMessageId(id).addAllCrc32(crcs)).build();
    }

    private Frame chunk(ChunkSource chunk) {
      if (drawn) {
        if (checksums != null) {
          chunk.write(ChunkSource.scratch(), checksums);
        }
        return FrameMarshaller.INSTANCE.drawnChunk(id, chunk);
      }
      byte[] bytes = new byte[chunk.length()];
      chunk.write(bytes, checksums != null ? checksums : ChunkSource.IGNORED);
      return Frame.newBuilder()
          .setChunk(Chunk.newBuilder().setMessageId(id).setData(UnsafeByteOperations.unsafeWrap(bytes)))
          .build();
    }
  }
}
