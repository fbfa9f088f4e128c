package dev.flotilla.transport;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import dev.flotilla.transport.proto.Frame;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import java.io.IOException;
import java.io.InputStream;

/**
 * Serialises and parses {@link Frame}s for gRPC with one copy of a chunk's bytes on each side, where gRPC's stock
 * protobuf marshaller makes two on the receiving side. The bytes on the wire are the ordinary protobuf encoding of a
 * {@code Frame}, so peers and proxies that use the stock marshaller interoperate.
 *
 * <p>Sending delegates to the stock marshaller, whose stream gRPC drains straight into its transport buffers: a
 * chunk's bytes are copied once, from the array the {@link MessageEncoder} filled. Parsing reads the whole frame, whose
 * length gRPC knows, into one array of exactly that size and parses it with aliasing, so a chunk's
 * {@code data} is a view of that array instead of a second copy (the stock marshaller copies the frame into a buffer
 * and then the bytes out of it). Each parsed frame owns its array; nothing is shared or reused between frames, so a
 * frame stays valid for as long as it is referenced.
 *
 * <p>A frame that is not valid protobuf, or a stream that ends before its announced length, fails the call with
 * {@code INTERNAL}, as with the stock marshaller. Thread-safe and stateless.
 */
public final class FrameMarshaller implements MethodDescriptor.Marshaller<Frame> {
  /** The one instance. */
  public static final FrameMarshaller INSTANCE = new FrameMarshaller();

  private static final MethodDescriptor.Marshaller<Frame> STOCK = ProtoUtils.marshaller(Frame.getDefaultInstance());

  private FrameMarshaller() {}

  @Override
  public InputStream stream(Frame frame) {
    return STOCK.stream(frame);
  }

  @Override
  public Frame parse(InputStream stream) {
    if (!(stream instanceof KnownLength)) {
      return STOCK.parse(stream);
    }
    try {
      int size = stream.available();
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
}
