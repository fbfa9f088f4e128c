package dev.flotilla.transport;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import dev.flotilla.transport.proto.Chunk;
import dev.flotilla.transport.proto.Frame;
import io.grpc.Detachable;
import io.grpc.HasByteBuffer;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Serialises and parses {@link Frame}s for gRPC with one copy of a chunk's bytes on each side, where gRPC's stock
 * protobuf marshaller makes two on the receiving side. The bytes on the wire are the ordinary protobuf encoding of a
 * {@code Frame}, so peers and proxies that use the stock marshaller interoperate.
 *
 * <p>Sending delegates to the stock marshaller, whose stream gRPC drains straight into its transport buffers, except
 * for the chunks a {@link FrameSender} sends: those are <em>drawn</em> frames ({@link #drawnChunk}), placeholders
 * whose bytes are written from the tensors into gRPC's buffers when gRPC serialises them (inside
 * {@code onNext}), through a small scratch array, so that sending a model of any size allocates no chunk-sized
 * arrays and a server sending one model to many clients keeps no encoded copy of it.
 *
 * <p>Parsing reads the whole frame, whose length gRPC knows, into one array of exactly that size and parses it with
 * aliasing, so a chunk's {@code data} is a view of that array instead of a second copy (the stock marshaller copies
 * the frame into a buffer and then the bytes out of it). Each parsed frame owns its array; nothing is shared or
 * reused between frames, so a frame stays valid for as long as it is referenced.
 *
 * <p>A large {@code Chunk} frame is not copied at all when the transport can lend its buffers (gRPC's Netty
 * transport can: its streams are {@link Detachable} and {@link HasByteBuffer}): the marshaller detaches the stream,
 * and the chunk's {@code data} is a view of the transport's own (direct) buffers, which the
 * {@link MessageAssembler} decodes straight into the arrays (or keeps, for a message whose arrays it lends).
 * Such a frame holds those buffers until {@link #release(Frame)} returns them; a receiver calls it once it is done
 * with the frame, whatever kind it is (for frames that hold nothing it does nothing), and whoever keeps the frame
 * longer {@linkplain #retain retains} it first and releases it once more when done. A frame never released keeps its
 * buffers from the transport's pool.
 *
 * <p>A frame that is not valid protobuf, or a stream that ends before its announced length, fails the call with
 * {@code INTERNAL}, as with the stock marshaller. Thread-safe.
 */
public final class FrameMarshaller implements MethodDescriptor.Marshaller<Frame> {
  /** The one instance. */
  public static final FrameMarshaller INSTANCE = new FrameMarshaller();

  private static final MethodDescriptor.Marshaller<Frame> STOCK = ProtoUtils.marshaller(Frame.getDefaultInstance());

  /** Chunk frames from this size on are parsed over the transport's buffers; smaller ones are copied. */
  static final int LEND_FROM_BYTES = 32 * 1024;

  private static final byte CHUNK_TAG = (Frame.CHUNK_FIELD_NUMBER << 3) | 2; // field 4, length-delimited

  private final Map<Frame, Lent> lent = new IdentityHashMap<>(); // guarded by itself
  private final Map<Frame, ChunkSource> drawn = Collections.synchronizedMap(new IdentityHashMap<>());

  private FrameMarshaller() {}

  /**
   * Returns the transport buffers that {@code frame}'s bytes are a view of, if it has any; the frame's chunk data
   * must not be read afterwards. Does nothing for other frames and for a frame already released.
   */
  public void release(Frame frame) {
    InputStream buffers = null;
    synchronized (lent) {
      Lent l = lent.get(frame);
      if (l != null && --l.holders == 0) {
        lent.remove(frame);
        buffers = l.buffers;
      }
    }
    if (buffers != null) {
      closeQuietly(buffers);
    }
  }

  /**
   * Keeps {@code frame}'s transport buffers, if it has any, until one more {@link #release}: for a receiver that
   * keeps the frame's bytes beyond its own release of the frame. Does nothing for other frames.
   */
  void retain(Frame frame) {
    synchronized (lent) {
      Lent l = lent.get(frame);
      if (l != null) {
        l.holders++;
      }
    }
  }

  /** How many parsed frames still hold transport buffers: for monitoring, and tests that nothing is kept. */
  public int lentFrames() {
    synchronized (lent) {
      return lent.size();
    }
  }

  /** The buffers a lent frame is a view of, and how many releases they wait for. */
  private static final class Lent {
    final InputStream buffers;
    int holders = 1;

    Lent(InputStream buffers) {
      this.buffers = buffers;
    }
  }

  /**
   * A chunk frame of message {@code messageId} whose bytes are written from {@code source} when this marshaller
   * serialises it. Until then the frame is a placeholder without data, which must go to gRPC as it is (and
   * nowhere else); the sender {@linkplain #forget forgets} it once gRPC has taken it or if it never will.
   */
  Frame drawnChunk(long messageId, ChunkSource source) {
    Frame frame = Frame.newBuilder().setChunk(Chunk.newBuilder().setMessageId(messageId)).build();
    drawn.put(frame, source);
    return frame;
  }

  /** Drops what {@link #drawnChunk} keeps for {@code frame}, if it was not serialised; does nothing otherwise. */
  void forget(Frame frame) {
    if (frame.hasChunk()) {
      drawn.remove(frame);
    }
  }

  /** How many drawn frames wait to be serialised (for tests). */
  int drawnFrames() {
    return drawn.size();
  }

  @Override
  public InputStream stream(Frame frame) {
    if (frame.hasChunk()) {
      ChunkSource source = drawn.remove(frame);
      if (source != null) {
        return new DrawnChunk(frame.getChunk().getMessageId(), source);
      }
    }
    return STOCK.stream(frame);
  }

  @Override
  public Frame parse(InputStream stream) {
    if (!(stream instanceof KnownLength)) {
      return STOCK.parse(stream);
    }
    try {
      int size = stream.available();
      if (size >= LEND_FROM_BYTES && lendable(stream)) {
        return parseLent(stream, size);
      }
      byte[] bytes = new byte[size];
      int read = 0;
      while (read < size) {
        int n = stream.read(bytes, read, size - read);
        if (n < 0) {
          throw new IOException("the frame ended after " + read + " of its " + size + " bytes");
        }
        read += n;
      }
      if (stream.read() != -1) {
        throw new IOException("the frame is longer than the " + size + " bytes it announced");
      }
      // A coded input over a wrapped array is marked immutable, which aliasing needs: over a plain array
      // (CodedInputStream.newInstance(byte[])) the parser silently copies every bytes field.
      CodedInputStream in = UnsafeByteOperations.unsafeWrap(bytes).newCodedInput();
      in.enableAliasing(true);
      Frame frame = Frame.parseFrom(in, ExtensionRegistryLite.getEmptyRegistry());
      in.checkLastTagWas(0);
      return frame;
    } catch (InvalidProtocolBufferException e) {
      throw Status.INTERNAL.withDescription("invalid Frame: " + e.getMessage()).withCause(e).asRuntimeException();
    } catch (IOException e) {
      throw Status.INTERNAL.withDescription("cannot read a Frame: " + e.getMessage()).withCause(e)
          .asRuntimeException();
    }
  }

  /** Whether the stream can lend its buffers and holds a chunk frame (its first byte is the chunk field's tag). */
  private static boolean lendable(InputStream stream) {
    if (!(stream instanceof Detachable) || !(stream instanceof HasByteBuffer)
        || !((HasByteBuffer) stream).byteBufferSupported()) {
      return false;
    }
    ByteBuffer first = ((HasByteBuffer) stream).getByteBuffer();
    return first != null && first.hasRemaining() && first.get(first.position()) == CHUNK_TAG;
  }

  /**
   * Parses a frame over the transport's buffers: the stream is detached from gRPC (which would otherwise free the
   * buffers when {@code parse} returns) and kept, marked so that reading through it keeps every buffer, until
   * {@link #release}.
   */
  private Frame parseLent(InputStream stream, int size) throws IOException {
    InputStream detached = ((Detachable) stream).detach();
    boolean kept = false;
    try {
      detached.mark(size);
      List<ByteString> pieces = new ArrayList<>();
      int seen = 0;
      while (seen < size) {
        ByteBuffer piece = ((HasByteBuffer) detached).getByteBuffer();
        if (piece == null || !piece.hasRemaining()) {
          throw new IOException("the frame ended after " + seen + " of its " + size + " bytes");
        }
        int n = piece.remaining();
        pieces.add(UnsafeByteOperations.unsafeWrap(piece));
        long skipped = detached.skip(n);
        if (skipped != n) {
          throw new IOException("the transport skipped " + skipped + " of " + n + " bytes");
        }
        seen += n;
      }
      detached.reset();
      // A concatenation of views is immutable, so the parser aliases the chunk's data instead of copying it.
      CodedInputStream in = ByteString.copyFrom(pieces).newCodedInput();
      in.enableAliasing(true);
      Frame frame = Frame.parseFrom(in, ExtensionRegistryLite.getEmptyRegistry());
      in.checkLastTagWas(0);
      synchronized (lent) {
        lent.put(frame, new Lent(detached));
      }
      kept = true;
      return frame;
    } finally {
      if (!kept) {
        closeQuietly(detached);
      }
    }
  }

  private static void closeQuietly(InputStream stream) {
    try {
      stream.close();
    } catch (IOException | RuntimeException e) {
      // Nothing to do: the buffers are the transport's, and it is closing them.
    }
  }
}
