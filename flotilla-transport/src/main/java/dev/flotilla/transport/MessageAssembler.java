package dev.flotilla.transport;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.transport.proto.ArrayHeader;
import dev.flotilla.transport.proto.Chunk;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.transport.proto.MessageEnd;
import dev.flotilla.transport.proto.MessageStart;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Rebuilds messages from the frames of one stream, the inverse of {@link MessageEncoder}. Array bytes are decoded
 * in bulk as chunks arrive, straight into one {@code float[]} per array (allocated when its first byte arrives), and
 * each array's CRC32 is checked at {@code MessageEnd}.
 *
 * <p>Every inconsistency (frames out of order, an unknown dtype, a {@code byte_length} that does not match the shape,
 * too many or too few bytes, a checksum mismatch) throws a {@link ProtocolException} naming it; the assembler must
 * then be discarded with the connection. Not thread-safe: feed it from one thread at a time.
 */
public final class MessageAssembler {
  private final CRC32 crc = new CRC32();
  private final byte[] carry = new byte[4]; // bytes of a float split across chunks
  private MessageStart start; // null between messages
  private Config config;
  private Metrics metrics;
  private List<TensorSpec> specs;
  private long[] byteLengths;
  private float[][] values;
  private int[] crcs;
  private int array; // the array receiving bytes
  private long offset; // bytes of that array received
  private long expected;
  private long received;

  /**
   * Takes the next frame of the stream: a {@code MessageStart}, {@code Chunk} or {@code MessageEnd}. Returns the
   * message once its end has arrived and checked out, otherwise empty.
   */
  public Optional<Envelope> accept(Frame frame) {
    switch (frame.getKindCase()) {
      case START -> begin(frame.getStart());
      case CHUNK -> take(frame.getChunk());
      case END -> {
        return Optional.of(end(frame.getEnd()));
      }
      default -> throw new ProtocolException("unexpected " + frame.getKindCase() + " frame "
          + (start == null ? "between messages" : "inside message " + start.getMessageId()));
    }
    return Optional.empty();
  }

  /** Whether a message has started and not yet ended. */
  public boolean inProgress() {
    return start != null;
  }

  /** The {@code reply_to} of the message in progress, or 0 if none is. */
  public long replyToInProgress() {
    return start == null ? 0 : start.getReplyTo();
  }

  private void begin(MessageStart s) {
    if (start != null) {
      throw new ProtocolException(
          "message " + s.getMessageId() + " started before message " + start.getMessageId() + " ended");
    }
    long id = s.getMessageId();
    if (id <= 0 || s.getReplyTo() < 0) {
      throw new ProtocolException("message ids must be positive, got message_id " + id + ", reply_to " + s.getReplyTo());
    }
    if (s.getType().isEmpty()) {
      throw new ProtocolException("message " + id + " has no type");
    }
    int n = s.getArraysCount();
    List<TensorSpec> newSpecs = new ArrayList<>(n);
    long[] lengths = new long[n];
    Set<String> names = new HashSet<>();
    long total = 0;
    for (int i = 0; i < n; i++) {
      ArrayHeader h = s.getArrays(i);
      TensorSpec spec = spec(id, h);
      if (!names.add(spec.name())) {
        throw new ProtocolException("message " + id + " has two arrays named '" + spec.name() + "'");
      }
      newSpecs.add(spec);
      lengths[i] = h.getByteLength();
      total += lengths[i];
    }
    config = WireValues.toConfig(s.getConfigList());
    metrics = WireValues.toMetrics(s.getMetricsList());
    specs = newSpecs;
    byteLengths = lengths;
    values = new float[n][];
    crcs = new int[n];
    array = 0;
    offset = 0;
    expected = total;
    received = 0;
    crc.reset();
    start = s;
  }

  private static TensorSpec spec(long id, ArrayHeader h) {
    String where = "array '" + h.getName() + "' of message " + id;
    if (!h.getDtype().equals(Protocol.DTYPE_FLOAT32)) {
      throw new ProtocolException(where + " has unsupported dtype '" + h.getDtype() + "'; only "
          + Protocol.DTYPE_FLOAT32 + " is supported");
    }
    int[] shape = new int[h.getShapeCount()];
    for (int d = 0; d < shape.length; d++) {
      long dim = h.getShape(d);
      if (dim < 0 || dim > Integer.MAX_VALUE) {
        throw new ProtocolException(where + " has an invalid dimension " + dim + " in shape " + h.getShapeList());
      }
      shape[d] = (int) dim;
    }
    TensorSpec spec;
    try {
      spec = new TensorSpec(h.getName(), shape);
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(where + ": " + e.getMessage(), e);
    }
    long needed = 4L * spec.size();
    if (h.getByteLength() != needed) {
      throw new ProtocolException(where + " declares byte_length " + h.getByteLength() + " but float32"
          + h.getShapeList() + " needs " + needed);
    }
    return spec;
  }

  private void take(Chunk c) {
    requireOpen(c.getMessageId(), "chunk");
    int size = c.getData().size();
    if (received + size > expected) {
      throw new ProtocolException("message " + c.getMessageId() + " carries more than the " + expected
          + " array bytes its header declares");
    }
    ByteBuffer data = c.getData().asReadOnlyByteBuffer();
    while (data.hasRemaining()) {
      finishCompleteArrays();
      int n = (int) Math.min(data.remaining(), byteLengths[array] - offset);
      ByteBuffer slice = data.slice();
      slice.limit(n);
      crc.update(slice.duplicate());
      decode(slice);
      data.position(data.position() + n);
    }
    received += size;
  }

  /** Decodes all of {@code bytes} into the current array, whose remaining length it does not exceed. */
  private void decode(ByteBuffer bytes) {
    if (values[array] == null) {
      values[array] = new float[specs.get(array).size()];
    }
    float[] dst = values[array];
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
  }

  private Envelope end(MessageEnd e) {
    long id = e.getMessageId();
    requireOpen(id, "end");
    if (received != expected) {
      throw new ProtocolException("message " + id + " ended after " + received + " of its " + expected
          + " array bytes");
    }
    finishCompleteArrays();
    if (e.getCrc32Count() != specs.size()) {
      throw new ProtocolException("message " + id + " ends with " + e.getCrc32Count() + " checksums for "
          + specs.size() + " arrays");
    }
    List<Tensor> tensors = new ArrayList<>(specs.size());
    for (int i = 0; i < specs.size(); i++) {
      if (crcs[i] != e.getCrc32(i)) {
        throw new ProtocolException(String.format("array '%s' of message %d failed its CRC32 check: expected %08x,"
            + " computed %08x", specs.get(i).name(), id, e.getCrc32(i), crcs[i]));
      }
      tensors.add(Tensor.wrap(specs.get(i), values[i]));
    }
    Envelope env = new Envelope(id, start.getReplyTo(),
        new Message(start.getType(), config, metrics, ModelWeights.of(tensors)));
    start = null;
    values = null;
    return env;
  }

  private void requireOpen(long id, String what) {
    if (start == null) {
      throw new ProtocolException(what + " frame of message " + id + " arrived outside any message");
    }
    if (id != start.getMessageId()) {
      throw new ProtocolException(what + " frame of message " + id + " arrived inside message "
          + start.getMessageId());
    }
  }

  /** Moves past every array whose bytes have all arrived (empty ones included), recording its CRC. */
  private void finishCompleteArrays() {
    while (array < byteLengths.length && offset == byteLengths[array]) {
      if (values[array] == null) {
        values[array] = new float[specs.get(array).size()];
      }
      crcs[array++] = (int) crc.getValue();
      crc.reset();
      offset = 0;
    }
  }
}
