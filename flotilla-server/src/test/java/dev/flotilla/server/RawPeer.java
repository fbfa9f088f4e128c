package dev.flotilla.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.flotilla.core.message.Message;
import dev.flotilla.transport.MessageAssembler;
import dev.flotilla.transport.MessageEncoder;
import dev.flotilla.transport.Protocol;
import dev.flotilla.transport.proto.AuthResponse;
import dev.flotilla.transport.proto.FleetGrpc;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.transport.proto.Hello;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A peer that speaks the wire protocol by hand over real gRPC, so that a test can break any rule: send frames out of
 * order, lie in headers, stop half-way. Sends without flow control.
 */
final class RawPeer implements StreamObserver<Frame>, AutoCloseable {
  /** Completes with the status the server ended the stream with. */
  final CompletableFuture<Status> closed = new CompletableFuture<>();
  private final ManagedChannel channel;
  private final boolean ownsChannel;
  private final StreamObserver<Frame> requests;
  private final BlockingQueue<Frame> received = new LinkedBlockingQueue<>();
  private final BlockingQueue<Long> grants = new LinkedBlockingQueue<>(); // upload grants, kept apart from frames
  private final MessageAssembler assembler = new MessageAssembler();
  private long lastId;

  /** A peer of the server on 127.0.0.1:{@code port}, on a channel of its own. */
  RawPeer(int port) {
    this(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build(), true);
  }

  /** A peer on {@code channel}, which the caller closes unless {@code ownsChannel}. */
  RawPeer(ManagedChannel channel, boolean ownsChannel) {
    this.channel = channel;
    this.ownsChannel = ownsChannel;
    this.requests = FleetGrpc.newStub(channel).connect(this);
  }

  /** Sends a hello as {@code id} and waits for the welcome. */
  RawPeer hello(String id) throws InterruptedException {
    sendHello(id);
    Frame welcome = nextFrame();
    assertThat(welcome.hasWelcome()).as("welcome, got %s", welcome.getKindCase()).isTrue();
    return this;
  }

  void sendHello(String id) {
    send(Frame.newBuilder().setHello(Hello.newBuilder().setClientId(id).setProtocolVersion(Protocol.VERSION))
        .build());
  }

  void sendAuthResponse(byte[] signature) {
    send(Frame.newBuilder().setAuthResponse(AuthResponse.newBuilder().setSignature(ByteString.copyFrom(signature)))
        .build());
  }

  synchronized void send(Frame frame) {
    requests.onNext(frame);
  }

  /** The next frame from the server, failing the test after 5 s. */
  Frame nextFrame() throws InterruptedException {
    Frame f = received.poll(5, TimeUnit.SECONDS);
    assertThat(f).as("a frame from the server").isNotNull();
    return f;
  }

  /** The next whole message from the server. */
  Message nextMessage() throws InterruptedException {
    while (true) {
      var done = assembler.accept(nextFrame());
      if (done.isPresent()) {
        return done.get();
      }
    }
  }

  /**
   * The frames of {@code message} as a reply to {@code replyTo}, with this peer's next message id, in pieces (see
   * {@link #inPieces}).
   */
  List<Frame> encode(long replyTo, Message message) {
    return inPieces(message.withMetadata(message.metadata().withIds(++lastId, replyTo)), 64 << 10);
  }

  /**
   * The frames of {@code message} (its ids set) as start, chunks of at most {@code chunkBytes} and end, also when it
   * is small enough to travel as one {@code WholeMessage} frame: as a peer that never sends whole messages would (the
   * protocol allows both), so that a test can send a small reply piece by piece. A message without arrays is one
   * whole frame, the only form the encoder has for it.
   */
  static List<Frame> inPieces(Message message, int chunkBytes) {
    long bytes = message.arrays().byteSize();
    int chunk = Protocol.sentWhole(bytes, chunkBytes) && bytes > 1 ? (int) bytes - 1 : chunkBytes;
    List<Frame> out = new ArrayList<>();
    new MessageEncoder(chunk).encode(message).forEachRemaining(out::add);
    return out;
  }

  /** {@code message} as a reply to {@code replyTo} in one {@code WholeMessage} frame, as a client sends a small one. */
  Frame encodeWhole(long replyTo, Message message) {
    List<Frame> out = new ArrayList<>();
    new MessageEncoder(Protocol.DEFAULT_CHUNK_BYTES)
        .encode(message.withMetadata(message.metadata().withIds(++lastId, replyTo))).forEachRemaining(out::add);
    assertThat(out).as("one whole frame").hasSize(1);
    return out.get(0);
  }

  void reply(long replyTo, Message message) {
    encode(replyTo, message).forEach(this::send);
  }

  /** The status the server closed the stream with, waiting up to {@code timeout}. */
  Status awaitClosed(Duration timeout) throws Exception {
    return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The message id of the next upload grant from the server, or null if none comes within {@code timeout}. */
  Long nextGrant(Duration timeout) throws InterruptedException {
    return grants.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void onNext(Frame value) {
    if (value.hasUploadGrant()) {
      grants.add(value.getUploadGrant().getMessageId());
    } else {
      received.add(value);
    }
  }

  @Override
  public void onError(Throwable t) {
    closed.complete(Status.fromThrowable(t));
  }

  @Override
  public void onCompleted() {
    closed.complete(Status.OK);
  }

  @Override
  public void close() throws InterruptedException {
    if (ownsChannel) {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
