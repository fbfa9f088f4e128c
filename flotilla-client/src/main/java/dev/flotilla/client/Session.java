package dev.flotilla.client;

import com.google.protobuf.ByteString;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.transport.FrameMarshaller;
import dev.flotilla.transport.FrameSender;
import dev.flotilla.transport.HeaderPolicy;
import dev.flotilla.transport.MessageAssembler;
import dev.flotilla.transport.MessageEncoder;
import dev.flotilla.transport.Protocol;
import dev.flotilla.transport.WireValues;
import dev.flotilla.transport.proto.AuthResponse;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.transport.proto.Hello;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One connection to the server: one {@code Connect} stream. Incoming frames are assembled on gRPC's threads and
 * queued as {@link Event}s for the client's loop; sending blocks the calling thread for flow control. Thread-safe.
 */
final class Session implements ClientResponseObserver<Frame, Frame> {
  /** What happened on the stream. */
  sealed interface Event {}

  /** The server asks the client to prove its key by signing {@code nonce}; see {@link #prove}. */
  record Challenged(byte[] nonce) implements Event {}

  /** The server accepted the hello. */
  record Welcomed() implements Event {}

  /** A whole message arrived. */
  record Received(Message message) implements Event {}

  /** The stream ended; nothing follows. */
  record Closed(Status status) implements Event {}

  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  // The client does not check the server's model for NaN and infinity, so its decoder does not search for them.
  private final MessageAssembler assembler =
      new MessageAssembler(HeaderPolicy.maxMessageBytes(Long.MAX_VALUE), false);
  private final MessageEncoder encoder;
  private final AtomicLong lastMessageId = new AtomicLong();
  private FrameSender sender;

  private Session(MessageEncoder encoder) {
    this.encoder = encoder;
  }

  /** Opens a {@link Protocol#CONNECT} stream on {@code channel}; nothing is sent until {@link #hello}. */
  static Session open(Channel channel, MessageEncoder encoder) {
    Session session = new Session(encoder);
    ClientCalls.asyncBidiStreamingCall(channel.newCall(Protocol.CONNECT, CallOptions.DEFAULT), session); // beforeStart
    return session;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<Frame> requests) {
    sender = new FrameSender(requests, encoder);
  }

  /** Introduces the client; throws {@link dev.flotilla.transport.ConnectionClosedException} if the stream failed. */
  void hello(String clientId, Config properties) throws InterruptedException {
    sender.sendControl(Frame.newBuilder().setHello(Hello.newBuilder()
        .setProtocolVersion(Protocol.VERSION)
        .setClientId(clientId)
        .addAllProperties(WireValues.toEntries(properties))).build());
  }

  /** Answers the server's challenge with {@code signature}; throws like {@link #hello}. */
  void prove(byte[] signature) throws InterruptedException {
    sender.sendControl(Frame.newBuilder()
        .setAuthResponse(AuthResponse.newBuilder().setSignature(ByteString.copyFrom(signature))).build());
  }

  /** The next event, waiting for one. */
  Event next() throws InterruptedException {
    return events.take();
  }

  /**
   * Sends {@code reply}, blocking for flow control and, if it has arrays, until the server grants their upload. Its
   * metadata names the request it answers; this session gives it its message id.
   */
  void reply(Message reply) throws InterruptedException {
    sender.sendWhenGranted(reply.withMetadata(reply.metadata().withIds(lastMessageId.incrementAndGet(),
        reply.metadata().replyTo())));
  }

  /** Whether the stream is still open. */
  boolean isOpen() {
    return !sender.isClosed();
  }

  /** Ends the stream normally, after the server said the run is over. */
  void finish() {
    sender.complete();
  }

  /** Cuts the stream, for example because the client is closing. */
  void cancel(String reason) {
    sender.fail(Status.CANCELLED.withDescription(reason));
  }

  @Override
  public void onNext(Frame frame) {
    try {
      if (frame.hasUploadGrant()) {
        sender.granted(frame.getUploadGrant().getMessageId());
      } else if (frame.hasWelcome()) {
        events.add(new Welcomed());
      } else if (frame.hasAuthChallenge()) {
        events.add(new Challenged(frame.getAuthChallenge().getNonce().toByteArray()));
      } else {
        assembler.accept(frame).ifPresent(e -> events.add(new Received(e)));
      }
    } catch (RuntimeException e) {
      Status status = Status.INTERNAL.withDescription("the server broke the protocol: " + e.getMessage());
      sender.fail(status);
      events.add(new Closed(status));
    } finally {
      FrameMarshaller.INSTANCE.release(frame); // a chunk's bytes may be the transport's buffers; they are decoded
    }
  }

  @Override
  public void onError(Throwable t) {
    Status status = Status.fromThrowable(t);
    sender.markClosed("the connection failed: " + status);
    events.add(new Closed(status));
  }

  @Override
  public void onCompleted() {
    sender.markClosed("the server ended the stream");
    events.add(new Closed(Status.UNAVAILABLE.withDescription("the server ended the stream")));
  }
}
