package dev.flotilla.transport;

import dev.flotilla.transport.proto.FleetGrpc;
import dev.flotilla.transport.proto.Frame;
import io.grpc.MethodDescriptor;

/** Constants of the wire protocol shared by the server and the client. */
public final class Protocol {
  /**
   * Sent in {@code Hello} and {@code Welcome}; a server refuses a client that speaks another version with
   * {@code FAILED_PRECONDITION} and {@link #versionMismatch}. Version 2 carries arrays of every
   * {@link dev.flotilla.core.tensor.DType}, message metadata and first-class errors; version 3 adds the key
   * handshake (AuthChallenge, AuthResponse) and {@code cancel} messages; version 4 adds upload grants (a client
   * sends the arrays of a message only once the server has granted it, see {@link FrameSender#sendWhenGranted});
   * version 5 sends a small message as one {@code WholeMessage} frame ({@link #sentWhole}).
   */
  public static final int VERSION = 5;
  /**
   * Default size of the {@code Chunk} frames that carry array bytes: 256 KiB. Under half of G1's smallest region
   * (1 MiB, used on heaps up to 2 GiB), so a chunk's buffer is never a humongous allocation on a small client.
   */
  public static final int DEFAULT_CHUNK_BYTES = 256 << 10;
  /** Largest chunk size a sender may use, so that every frame fits {@link #MAX_FRAME_BYTES}. */
  public static final int MAX_CHUNK_BYTES = 16 << 20;
  /**
   * Largest frame a receiver accepts (gRPC's inbound message size limit). Above {@link #MAX_CHUNK_BYTES} to leave
   * room for the headers of messages with very many arrays.
   */
  public static final int MAX_FRAME_BYTES = 64 << 20;

  /**
   * A message whose arrays total at most this many bytes (64 KiB) is sent whole without waiting for an
   * {@code UploadGrant}, and a server never grants one: its bytes cost a waiting server little, and a round trip per
   * small reply would cost every round.
   */
  public static final int UNGRANTED_ARRAY_BYTES = 64 << 10;

  /** Whether a message whose arrays total {@code arrayBytes} waits for an {@code UploadGrant} (version 4). */
  public static boolean needsGrant(int arrays, long arrayBytes) {
    return arrays > 0 && arrayBytes > UNGRANTED_ARRAY_BYTES;
  }

  /**
   * Most array bytes a {@code WholeMessage} frame carries (64 KiB, as {@link #UNGRANTED_ARRAY_BYTES}, so that a
   * message sent whole never waits for a grant); a receiver refuses a larger one.
   */
  public static final int WHOLE_MESSAGE_ARRAY_BYTES = UNGRANTED_ARRAY_BYTES;

  /**
   * Whether a sender that cuts arrays into chunks of {@code chunkBytes} sends a message whose arrays total
   * {@code arrayBytes} as one {@code WholeMessage} frame (version 5) rather than as {@code MessageStart}, chunks and
   * {@code MessageEnd}: when its arrays fit in one chunk and in {@link #WHOLE_MESSAGE_ARRAY_BYTES}. A frame per
   * message instead of three is less work for both transports, which counts for requests without arrays, small
   * replies and the many small exchanges of secure aggregation.
   */
  public static boolean sentWhole(long arrayBytes, int chunkBytes) {
    return arrayBytes <= Math.min(WHOLE_MESSAGE_ARRAY_BYTES, chunkBytes);
  }

  /**
   * Default HTTP/2 flow-control window of a connection and of its stream, on both sides: how many bytes a peer may
   * send before the receiver has read them. A window of several chunks keeps a transfer streaming while the receiver
   * decodes. (Since version 4 a client waiting for an upload slot sends only its message's header, so waiting
   * uploads no longer leave a window each buffered on the server.)
   */
  public static final int DEFAULT_FLOW_CONTROL_WINDOW_BYTES = 1 << 20;

  /**
   * The {@code Fleet.Connect} method as both sides call and serve it: the generated descriptor (same service path,
   * same protobuf bytes on the wire) with {@link FrameMarshaller} in place of the stock marshaller.
   */
  public static final MethodDescriptor<Frame, Frame> CONNECT = FleetGrpc.getConnectMethod()
      .toBuilder(FrameMarshaller.INSTANCE, FrameMarshaller.INSTANCE)
      .build();

  private Protocol() {}

  /** Returns {@code chunkBytes} if it is a valid chunk size, else throws naming it. */
  public static int checkChunkBytes(int chunkBytes) {
    if (chunkBytes < 1 || chunkBytes > MAX_CHUNK_BYTES) {
      throw new IllegalArgumentException(
          "chunk size must be between 1 and " + MAX_CHUNK_BYTES + " bytes, got " + chunkBytes);
    }
    return chunkBytes;
  }

  /** Returns {@code windowBytes} if it is a valid flow-control window (64 KiB to 1 GiB), else throws naming it. */
  public static int checkFlowControlWindow(long windowBytes) {
    if (windowBytes < (64 << 10) || windowBytes > (1 << 30)) {
      throw new IllegalArgumentException("flow-control window must be between 65536 and " + (1 << 30)
          + " bytes, got " + windowBytes);
    }
    return (int) windowBytes;
  }

  /**
   * Why a server refuses a client whose {@code Hello} says {@code clientVersion}: the text of the
   * {@code FAILED_PRECONDITION} status, naming both versions.
   */
  public static String versionMismatch(int clientVersion) {
    return "protocol version mismatch: this server speaks Flotilla protocol version " + VERSION
        + ", the client version " + Integer.toUnsignedString(clientVersion)
        + "; run server and clients with the same protocol version";
  }
}
