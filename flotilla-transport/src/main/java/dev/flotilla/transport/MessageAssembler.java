package dev.flotilla.transport;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.tensor.BufferLoan;
import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.FloatKernels;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.transport.proto.MessageStart;
import dev.flotilla.transport.proto.WholeMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.zip.CRC32;

/**
 * Rebuilds messages from the frames of one stream, the inverse of {@link MessageEncoder}. The result is a
 * {@link Message} whose {@link dev.flotilla.core.message.Metadata} holds the ids, group, model version and deadline
 * the sender set, with its {@link dev.flotilla.core.message.MessageError} if it is an error.
 *
 * <p>A {@code MessageStart} is checked whole (ids, dtypes, shapes against byte lengths, unique names, config,
 * metrics, error) and then put to the {@link HeaderPolicy}, before any array memory is allocated. Array bytes are
 * then decoded in bulk as chunks arrive into one array per tensor, allocated when its first byte arrives: float32
 * values straight into a {@code float[]} (looking for NaN and infinity in each piece while it is in cache, so that
 * {@link Tensor#firstNonFinite()}, which a server asks of every result, costs no further pass over the model), every
 * other dtype into its little-endian {@code byte[]}. Each array's
 * CRC32 is checked at {@code MessageEnd}.
 *
 * <p>A message whose header the {@code lend} predicate picks keeps its float32 arrays where they arrived instead:
 * its chunk frames are held ({@link FrameMarshaller}: the transport's buffers, or the frame's own array), each
 * array is a {@link Tensor#lent} view of those bytes (checked for NaN and infinity as they arrive, as above), and
 * the frames are released when the message's {@link BufferLoan}, taken with {@link #takeLoan()}, is given back. No
 * array is allocated or copied for them: for a server that folds an upload and then drops it.
 *
 * <p>Every inconsistency (frames out of order, a bad header, too many or too few bytes, a checksum mismatch) and
 * every refusal by the policy throws a {@link ProtocolException} naming it; the assembler must then be discarded
 * with the connection. Not thread-safe: feed it from one thread at a time.
 */
public final class MessageAssembler {
  private final HeaderPolicy policy;
  private final boolean searchNonFinite;
  private final Predicate<MessageHeader> lend;
  private boolean lending; // the message in progress keeps its float32 arrays in its frames
  private List<Frame> held; // frames the message in progress holds, if lending
  private List<ByteBuffer>[] kept; // per float32 array, if lending: its bytes, segments of whole floats
  private long[] keptFloats; // per float32 array, if lending: floats kept so far
  private BufferLoan loan; // of the message in progress, then of the last message returned, until taken
  private final CRC32 crc = new CRC32();
  private final byte[] carry = new byte[4]; // bytes of a float split across chunks
  private MessageHeader header; // null between messages
  private long id;
  private List<TensorSpec> specs;
  private long[] byteLengths;
  private float[][] floats; // float32 arrays
  private byte[][] raws; // arrays of every other dtype
  private int[] crcs;
  private int[] nonFinite; // per float32 array: index of its first NaN or infinity, -1 if none so far
  private int array; // the array receiving bytes
  private long offset; // bytes of that array received
  private long expected;
  private long received;
  private final ByteOutput pieces = new ByteOutput() {
    @Override
    public void write(byte value) {
      takePiece(ByteBuffer.wrap(new byte[] {value}));
    }

    @Override
    public void write(byte[] value, int offset, int length) {
      takePiece(ByteBuffer.wrap(value, offset, length));
    }

    @Override
    public void writeLazy(byte[] value, int offset, int length) {
      takePiece(ByteBuffer.wrap(value, offset, length));
    }

    @Override
    public void write(ByteBuffer value) {
      takePiece(value);
    }

    @Override
    public void writeLazy(ByteBuffer value) {
      takePiece(value);
    }
  };

  /** An assembler that takes every well-formed message, however large ({@code maxMessageBytes(Long.MAX_VALUE)}). */
  public MessageAssembler() {
    this(HeaderPolicy.maxMessageBytes(Long.MAX_VALUE));
  }

  /** An assembler that takes only the well-formed messages whose header {@code policy} accepts. */
  public MessageAssembler(HeaderPolicy policy) {
    this(policy, true);
  }

  /**
   * An assembler that takes only the well-formed messages whose header {@code policy} accepts and, unless
   * {@code searchNonFinite}, leaves the search for NaN and infinity to the tensors themselves (a pass of their own,
   * the first time {@link Tensor#firstNonFinite()} is asked): for a receiver that does not check what it receives,
   * such as a client receiving the global model.
   */
  public MessageAssembler(HeaderPolicy policy, boolean searchNonFinite) {
    this(policy, searchNonFinite, header -> false);
  }

  /**
   * As {@link #MessageAssembler(HeaderPolicy, boolean)}, lending the float32 arrays of the chunked messages whose
   * header {@code lend} picks (see above); it is asked once per message, after {@code policy} took it.
   */
  public MessageAssembler(HeaderPolicy policy, boolean searchNonFinite, Predicate<MessageHeader> lend) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.searchNonFinite = searchNonFinite;
    this.lend = Objects.requireNonNull(lend, "lend");
  }

  /**
   * Takes the next frame of the stream: a {@code MessageStart}, {@code Chunk}, {@code MessageEnd} or
   * {@code WholeMessage}. Returns the message once its end has arrived and checked out, otherwise empty.
   */
  public Optional<Message> accept(Frame frame) {
    try {
      switch (frame.getKindCase()) {
        case START -> begin(frame.getStart(), true);
        case CHUNK -> {
          if (lending && header != null && frame.getChunk().getMessageId() == id) {
            FrameMarshaller.INSTANCE.retain(frame);
            held.add(frame);
          }
          take(frame.getChunk().getMessageId(), frame.getChunk().getData());
        }
        case END -> {
          return Optional.of(end(frame.getEnd().getMessageId(), frame.getEnd().getCrc32List()));
        }
        case WHOLE -> {
          return Optional.of(whole(frame.getWhole()));
        }
        default -> throw new ProtocolException("unexpected " + frame.getKindCase() + " frame "
            + (header == null ? "between messages" : "inside message " + id));
      }
      return Optional.empty();
    } catch (RuntimeException | Error e) {
      discard(); // the assembler is done for; what the message in progress holds goes back now
      throw e;
    }
  }

  /**
   * The {@link BufferLoan} of the message {@link #accept} returned last, if its arrays are lent (else null), which the
   * caller now owns and must give back once done with the message; asked once, later calls return null.
   */
  public BufferLoan takeLoan() {
    BufferLoan l = header == null ? loan : null;
    if (l != null) {
      loan = null;
    }
    return l;
  }

  /**
   * Gives back what the message in progress holds, and the loan of a returned message nobody took: for a receiver
   * dropping this assembler (a connection closed mid-message). Does nothing if nothing is held.
   */
  public void discard() {
    BufferLoan l = loan;
    loan = null;
    if (l != null) {
      l.giveBack(); // releases the frames held
    }
    held = null;
    kept = null;
    lending = false;
  }

  /** Whether a message has started and not yet ended. */
  public boolean inProgress() {
    return header != null;
  }

  /** The {@code replyTo} of the message in progress, or 0 if none is. */
  public long replyToInProgress() {
    return header == null ? 0 : header.metadata().replyTo();
  }

  private void begin(MessageStart s, boolean chunked) {
    if (header != null) {
      throw new ProtocolException(
          "message " + s.getMessageId() + " started before message " + id + " ended");
    }
    MessageHeader h = HeaderCodec.decode(s);
    policy.check(h);
    int n = h.arrays().size();
    specs = h.arrays();
    byteLengths = new long[n];
    for (int i = 0; i < n; i++) {
      byteLengths[i] = specs.get(i).byteSize();
    }
    floats = new float[n][];
    raws = new byte[n][];
    crcs = new int[n];
    nonFinite = new int[n];
    Arrays.fill(nonFinite, -1);
    array = 0;
    offset = 0;
    expected = h.arrayBytes();
    received = 0;
    crc.reset();
    id = h.metadata().messageId();
    header = h;
    if (loan != null) {
      loan.giveBack(); // the last message's loan, not taken: nobody will give it back
      loan = null;
    }
    lending = chunked && lend.test(h);
    if (lending) {
      List<Frame> frames = new ArrayList<>();
      held = frames;
      loan = new BufferLoan(() -> frames.forEach(FrameMarshaller.INSTANCE::release));
      @SuppressWarnings("unchecked")
      List<ByteBuffer>[] k = new List[n];
      kept = k;
      keptFloats = new long[n];
    }
  }

  /** A message in one frame: checked and decoded as its start, one chunk and its end would be. */
  private Message whole(WholeMessage w) {
    begin(w.getStart(), false);
    if (expected > Protocol.WHOLE_MESSAGE_ARRAY_BYTES) {
      throw new ProtocolException("message " + id + " came whole with " + expected + " array bytes; at most "
          + Protocol.WHOLE_MESSAGE_ARRAY_BYTES + " may travel in one frame");
    }
    take(id, w.getData());
    return end(id, w.getCrc32List());
  }

  private void take(long chunkId, ByteString data) {
    requireOpen(chunkId, "chunk");
    int size = data.size();
    if (received + size > expected) {
      throw new ProtocolException("message " + id + " carries more than the " + expected
          + " array bytes its header declares");
    }
    try {
      UnsafeByteOperations.unsafeWriteTo(data, pieces);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // the sink never throws
    }
    received += size;
  }

  /**
   * Takes the bytes of a chunk where they lie: the frame's own array (see {@link FrameMarshaller}), or a buffer. A
   * read-only view would make {@link CRC32} copy through a small temporary array, so the checksum is computed on the
   * array or the direct buffer itself.
   */
  private void takePiece(ByteBuffer data) {
    while (data.hasRemaining()) {
      finishCompleteArrays();
      int n = (int) Math.min(data.remaining(), byteLengths[array] - offset);
      ByteBuffer slice = data.slice();
      slice.limit(n);
      if (specs.get(array).dtype() == DType.FLOAT32) {
        crc.update(slice.duplicate());
        if (lending) {
          keepFloats(slice);
        } else {
          decodeFloats(slice);
        }
      } else {
        copyBytes(slice);
      }
      data.position(data.position() + n);
    }
  }

  /** Decodes all of {@code bytes} into the current float32 array, whose remaining length it does not exceed. */
  private void decodeFloats(ByteBuffer bytes) {
    if (floats[array] == null) {
      floats[array] = new float[specs.get(array).size()];
    }
    float[] dst = floats[array];
    int first = (int) (offset >>> 2); // the first value this call completes (a carried one included)
    while (bytes.hasRemaining()) {
      int within = (int) (offset & 3);
      if (within == 0 && bytes.remaining() >= 4) {
        int count = bytes.remaining() >>> 2;
        bytes.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(dst, (int) (offset >>> 2), count);
        bytes.position(bytes.position() + 4 * count);
        offset += 4L * count;
      } else {
        int k = Math.min(4 - within, bytes.remaining());
        bytes.get(carry, within, k);
        offset += k;
        if ((offset & 3) == 0) {
          int bits = (carry[0] & 0xff) | (carry[1] & 0xff) << 8 | (carry[2] & 0xff) << 16 | (carry[3] & 0xff) << 24;
          dst[(int) ((offset >>> 2) - 1)] = Float.intBitsToFloat(bits);
        }
      }
    }
    // Look for NaN and infinity now, while these values are in cache, rather than in another pass over the model.
    if (searchNonFinite && nonFinite[array] < 0) {
      nonFinite[array] = Tensor.firstNonFinite(dst, first, (int) (offset >>> 2));
    }
  }

  /**
   * Keeps all of {@code bytes} as segments of the current float32 array, whose remaining length it does not exceed:
   * whole floats as views of the bytes, a float split across pieces in a 4-byte array of its own. Each segment is
   * checked for NaN and infinity while it is in cache.
   */
  private void keepFloats(ByteBuffer bytes) {
    if (kept[array] == null) {
      kept[array] = new ArrayList<>();
    }
    int within = (int) (offset & 3);
    if (within != 0) {
      int k = Math.min(4 - within, bytes.remaining());
      bytes.get(carry, within, k);
      offset += k;
      if ((offset & 3) == 0) {
        keepSegment(ByteBuffer.wrap(carry.clone()));
      }
    }
    int whole = bytes.remaining() & ~3;
    if (whole > 0) {
      ByteBuffer segment = bytes.slice();
      segment.limit(whole);
      keepSegment(segment);
      bytes.position(bytes.position() + whole);
      offset += whole;
    }
    int rest = bytes.remaining();
    if (rest > 0) {
      bytes.get(carry, 0, rest);
      offset += rest;
    }
  }

  private void keepSegment(ByteBuffer segment) {
    if (searchNonFinite && nonFinite[array] < 0) {
      int bad = FloatKernels.firstNonFinite(segment);
      if (bad >= 0) {
        nonFinite[array] = (int) (keptFloats[array] + bad);
      }
    }
    kept[array].add(segment);
    keptFloats[array] += segment.remaining() >>> 2;
  }

  /** Copies all of {@code bytes} into the current byte array, whose remaining length it does not exceed. */
  private void copyBytes(ByteBuffer bytes) {
    if (raws[array] == null) {
      raws[array] = new byte[(int) byteLengths[array]];
    }
    int at = (int) offset;
    int n = bytes.remaining();
    bytes.get(raws[array], at, n);
    crc.update(raws[array], at, n);
    offset += n;
  }

  private Message end(long endId, List<Integer> crc32s) {
    requireOpen(endId, "end");
    if (received != expected) {
      throw new ProtocolException("message " + id + " ended after " + received + " of its " + expected
          + " array bytes");
    }
    finishCompleteArrays();
    if (crc32s.size() != specs.size()) {
      throw new ProtocolException("message " + id + " ends with " + crc32s.size() + " checksums for "
          + specs.size() + " arrays");
    }
    List<Tensor> tensors = new ArrayList<>(specs.size());
    for (int i = 0; i < specs.size(); i++) {
      if (crcs[i] != crc32s.get(i)) {
        throw new ProtocolException(String.format("array '%s' of message %d failed its CRC32 check: expected %08x,"
            + " computed %08x", specs.get(i).name(), id, crc32s.get(i), crcs[i]));
      }
      TensorSpec spec = specs.get(i);
      if (spec.dtype() != DType.FLOAT32) {
        tensors.add(Tensor.wrapBytes(spec, raws[i]));
      } else if (lending) {
        tensors.add(Tensor.lent(spec, kept[i], searchNonFinite ? nonFinite[i] : -2, loan));
      } else if (searchNonFinite) {
        tensors.add(Tensor.wrapChecked(spec, floats[i], nonFinite[i]));
      } else {
        tensors.add(Tensor.wrap(spec, floats[i]));
      }
    }
    Message message = header.toMessage(ModelWeights.of(tensors));
    header = null;
    specs = null;
    floats = null;
    raws = null;
    nonFinite = null;
    held = null; // the loan now gives them back
    kept = null;
    keptFloats = null;
    lending = false;
    return message;
  }

  private void requireOpen(long frameId, String what) {
    if (header == null) {
      throw new ProtocolException(what + " frame of message " + frameId + " arrived outside any message");
    }
    if (frameId != id) {
      throw new ProtocolException(what + " frame of message " + frameId + " arrived inside message " + id);
    }
  }

  /** Moves past every array whose bytes have all arrived (empty ones included), recording its CRC. */
  private void finishCompleteArrays() {
    while (array < byteLengths.length && offset == byteLengths[array]) {
      if (specs.get(array).dtype() == DType.FLOAT32 && lending) {
        if (kept[array] == null) {
          kept[array] = new ArrayList<>();
        }
      } else if (specs.get(array).dtype() == DType.FLOAT32) {
        if (floats[array] == null) {
          floats[array] = new float[specs.get(array).size()];
        }
      } else if (raws[array] == null) {
        raws[array] = new byte[0];
      }
      crcs[array++] = (int) crc.getValue();
      crc.reset();
      offset = 0;
    }
  }
}
