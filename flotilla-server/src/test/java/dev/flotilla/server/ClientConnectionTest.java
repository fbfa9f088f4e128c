package dev.flotilla.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientFailureException;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.testing.TestModels;
import dev.flotilla.transport.FrameSender;
import dev.flotilla.transport.proto.Chunk;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.transport.proto.Hello;
import dev.flotilla.transport.proto.MessageStart;
import dev.flotilla.workflow.Reply;
import dev.flotilla.workflow.ReplyAllowance;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server side of a connection, driven by a hand-written client that can break the rules. */
@Timeout(20)
class ClientConnectionTest {
  private static final Message MODEL = new Message("train_result", Config.of("num_examples", 1), Metrics.empty(),
      TestModels.small());
  /** Arrays above {@link dev.flotilla.transport.Protocol#UNGRANTED_ARRAY_BYTES}: an upload of it is granted. */
  private static final Message UPLOAD = new Message("train_result", Config.of("num_examples", 1), Metrics.empty(),
      ModelWeights.of(Tensor.of("w", new int[] {20_000}, new float[20_000])));
  private final List<AutoCloseable> open = new ArrayList<>();
  private FlotillaServer server;

  private FlotillaServer server(int uploadSlots) {
    return server(uploadSlots, ServerSettings.DEFAULT_UPLOAD_LOOKAHEAD);
  }

  private FlotillaServer server(int uploadSlots, int lookahead) {
    server = FlotillaServer.start(ServerSettings.builder().host("127.0.0.1").port(0).uploadSlots(uploadSlots)
        .uploadLookahead(lookahead).build());
    open.add(server);
    return server;
  }

  /** A hand-written client of the server, not yet said hello. */
  private RawPeer connect() {
    RawPeer c = new RawPeer(server.port());
    open.add(c);
    return c;
  }

  /**
   * A hand-written client that has said hello as {@code id}, once the server has registered it (the server queues
   * the welcome just before it registers the client).
   */
  private RawPeer connected(String id) throws InterruptedException {
    RawPeer c = connect().hello(id);
    for (int i = 0; i < 250 && server.registry().client(id).isEmpty(); i++) {
      Thread.sleep(20);
    }
    return c;
  }

  /** Asks the registered client {@code id} to train, as a workflow would. */
  private CompletableFuture<Reply> train(String id) {
    return server.registry().client(id).orElseThrow().request(Message.of("train"));
  }

  /** Asserts that the server closed {@code c}'s stream as a protocol violation described with {@code why}. */
  private static void assertBrokeTheProtocol(RawPeer c, String why) throws Exception {
    Status status = c.closed.get(5, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains(why);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  @Test
  void firstFrameMustBeAHello() throws Exception {
    server(2);
    RawPeer c = connect();
    c.send(Frame.newBuilder().setStart(MessageStart.newBuilder().setMessageId(1).setType("x")).build());

    assertBrokeTheProtocol(c, "first frame must be a hello");
  }

  @Test
  void saysWhenAReplyBeginsBeforeItHasArrived() throws Exception {
    server(2);
    RawPeer c = connected("uploader");
    CountDownLatch started = new CountDownLatch(1);
    CompletableFuture<Reply> reply = server.registry().client("uploader").orElseThrow()
        .request(Message.of("train"), ReplyAllowance.any(), started::countDown);
    Message request = c.nextMessage();
    List<Frame> frames = c.encode(request.metadata().messageId(), MODEL);
    assertThat(frames).hasSizeGreaterThan(2);
    assertThat(started.getCount()).isEqualTo(1);

    c.send(frames.get(0)); // the header alone: the client has done its work and begins to upload
    assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(reply).isNotDone();

    frames.subList(1, frames.size()).forEach(c::send);
    try (Reply r = reply.get(5, TimeUnit.SECONDS)) {
      assertThat(r.message().arrays().contentEquals(MODEL.arrays())).isTrue();
    }
  }

  @Test
  void aModelTheServerSendsInChunksReachesAPeerWithTheStockMarshallerBitForBit() throws Exception {
    server(2);
    RawPeer c = connected("reader"); // the generated stub: gRPC's own protobuf marshaller
    float[] values = new float[300_001]; // 1.2 MB: five chunks, drawn from the tensors as the server sends them
    java.util.Random random = new java.util.Random(3);
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextGaussian();
    }
    ModelWeights model = ModelWeights.of(Tensor.of("w", new int[] {values.length}, values),
        Tensor.of("b", new int[] {3}, new float[] {1, Float.NaN, -0.0f}));
    server.registry().client("reader").orElseThrow().request(Message.of("train").withArrays(model));

    Message got = c.nextMessage();
    assertThat(got.type()).isEqualTo("train");
    assertThat(got.arrays().contentEquals(model)).isTrue();
  }

  @Test
  void otherProtocolVersionIsRefused() throws Exception {
    server(2);
    RawPeer c = connect();
    c.send(Frame.newBuilder().setHello(Hello.newBuilder().setClientId("old").setProtocolVersion(99)).build());

    Status status = c.closed.get(5, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(status.getDescription()).contains("version 5").contains("the client version 99");
    assertThat(server.registry().size()).isZero();
  }

  @Test
  void sameIdReplacesTheOlderConnection() throws Exception {
    server(2);
    RawPeer first = connected("twin");
    RawPeer second = connected("twin");

    Status status = first.closed.get(5, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(server.registry().clients()).extracting(c -> c.id()).containsExactly("twin");

    CompletableFuture<Reply> reply = server.registry().client("twin").orElseThrow().request(Message.of("ping"));
    Message request = second.nextMessage();
    assertThat(request.type()).isEqualTo("ping");
    second.reply(request.metadata().messageId(), MODEL);
    try (Reply r = reply.get(5, TimeUnit.SECONDS)) {
      assertThat(r.message().arrays().contentEquals(MODEL.arrays())).isTrue();
    }
  }

  @Test
  void corruptUploadFailsItsRequestAndClosesTheConnection() throws Exception {
    server(2);
    RawPeer c = connected("liar");
    CompletableFuture<Reply> reply = train("liar");
    long requestId = c.nextMessage().metadata().messageId();

    List<Frame> frames = c.encode(requestId, MODEL);
    Chunk chunk = frames.get(1).getChunk();
    byte[] bytes = chunk.getData().toByteArray();
    bytes[0] ^= 0x40;
    frames.set(1, Frame.newBuilder().setChunk(chunk.toBuilder().setData(ByteString.copyFrom(bytes))).build());
    frames.forEach(c::send);

    assertThatThrownBy(() -> reply.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(ClientFailureException.class).hasMessageContaining("CRC32")
        .cause().extracting(e -> ((ClientFailureException) e).kind()).isEqualTo(ClientFailure.Kind.REJECTED);
    assertThat(c.closed.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(server.registry().size()).isZero();
  }

  @Test
  void hangingUpFailsOpenRequestsAsDisconnected() throws Exception {
    server(2);
    RawPeer c = connected("quitter");
    CompletableFuture<Reply> reply = train("quitter");
    c.nextMessage();

    c.close();

    assertThatThrownBy(() -> reply.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(ClientFailureException.class).hasMessageContaining("quitter")
        .cause().extracting(e -> ((ClientFailureException) e).kind()).isEqualTo(ClientFailure.Kind.DISCONNECTED);
  }

  @Test
  void uploadsBeyondTheSlotsWaitUntilASlotIsReleased() throws Exception {
    server(1);
    RawPeer a = connected("a");
    RawPeer b = connected("b");
    CompletableFuture<Reply> replyA = train("a");
    CompletableFuture<Reply> replyB = train("b");
    List<Frame> framesA = a.encode(a.nextMessage().metadata().messageId(), MODEL);
    List<Frame> framesB = b.encode(b.nextMessage().metadata().messageId(), MODEL);

    a.send(framesA.get(0)); // a takes the only slot...
    framesA.subList(1, framesA.size() - 1).forEach(a::send); // ...and sends all its bytes, but not its end
    for (int i = 0; i < 100 && server.registry().bytesReceived() < MODEL.arrays().byteSize(); i++) {
      Thread.sleep(20);
    }
    assertThat(server.registry().bytesReceived()).isEqualTo(MODEL.arrays().byteSize());
    framesB.forEach(b::send); // b's whole upload must wait
    Thread.sleep(300);
    assertThat(replyB).isNotDone();

    a.send(framesA.get(framesA.size() - 1));
    Reply gotA = replyA.get(5, TimeUnit.SECONDS);
    Thread.sleep(200);
    assertThat(replyB).as("a's reply still holds the slot").isNotDone();

    gotA.close();
    try (Reply gotB = replyB.get(5, TimeUnit.SECONDS)) {
      assertThat(gotB.message().arrays().contentEquals(MODEL.arrays())).isTrue();
    }
  }

  @Test
  void grantsAnUploadWhenItHoldsASlotOrIsNextInLineAndNotBefore() throws Exception {
    server(1, 1);
    RawPeer a = connected("a");
    RawPeer b = connected("b");
    RawPeer c = connected("c");
    CompletableFuture<Reply> replyA = train("a");
    CompletableFuture<Reply> replyB = train("b");
    CompletableFuture<Reply> replyC = train("c");
    List<Frame> framesA = a.encode(a.nextMessage().metadata().messageId(), UPLOAD);
    List<Frame> framesB = b.encode(b.nextMessage().metadata().messageId(), UPLOAD);
    List<Frame> framesC = c.encode(c.nextMessage().metadata().messageId(), UPLOAD);

    a.send(framesA.get(0)); // a's start takes the only slot: granted at once
    assertThat(a.nextGrant(Duration.ofMillis(5_000))).isEqualTo(framesA.get(0).getStart().getMessageId());
    b.send(framesB.get(0)); // b is next in line: granted before its slot, so its first window can wait here
    assertThat(b.nextGrant(Duration.ofMillis(5_000))).isEqualTo(framesB.get(0).getStart().getMessageId());
    c.send(framesC.get(0)); // c is behind b: no grant while it is not next
    assertThat(c.nextGrant(Duration.ofMillis(300))).as("a grant for the second in line").isNull();

    framesA.subList(1, framesA.size()).forEach(a::send);
    replyA.get(5, TimeUnit.SECONDS).close(); // b takes the slot, c is next in line
    assertThat(c.nextGrant(Duration.ofMillis(5_000))).as("c's grant once it is next")
        .isEqualTo(framesC.get(0).getStart().getMessageId());
    framesB.subList(1, framesB.size()).forEach(b::send);
    replyB.get(5, TimeUnit.SECONDS).close();
    framesC.subList(1, framesC.size()).forEach(c::send);
    try (Reply gotC = replyC.get(5, TimeUnit.SECONDS)) {
      assertThat(gotC.message().arrays().contentEquals(UPLOAD.arrays())).isTrue();
    }
    assertThat(a.nextGrant(Duration.ofMillis(100))).as("one grant per upload").isNull();
    assertThat(b.nextGrant(Duration.ofMillis(100))).as("one grant per upload").isNull();
  }

  @Test
  void aClientThatSendsAGrantBreaksTheProtocolAndIsClosed() throws Exception {
    server(1);
    RawPeer c = connected("granter");
    c.send(FrameSender.uploadGrant(1));
    assertBrokeTheProtocol(c, "unexpected UPLOAD_GRANT frame");
  }

  @Test
  void aReplyInOneWholeFrameWaitsForAnUploadSlotButNeverForAGrant() throws Exception {
    server(1);
    RawPeer a = connected("a");
    RawPeer b = connected("b");
    CountDownLatch startedA = new CountDownLatch(1);
    CompletableFuture<Reply> replyA = server.registry().client("a").orElseThrow()
        .request(Message.of("train"), ReplyAllowance.any(), startedA::countDown);
    CountDownLatch started = new CountDownLatch(1);
    CompletableFuture<Reply> replyB = server.registry().client("b").orElseThrow()
        .request(Message.of("train"), ReplyAllowance.any(), started::countDown);
    List<Frame> framesA = a.encode(a.nextMessage().metadata().messageId(), MODEL);
    a.send(framesA.get(0));
    assertThat(startedA.await(5, TimeUnit.SECONDS)).as("a holds the only slot").isTrue();
    b.send(b.encodeWhole(b.nextMessage().metadata().messageId(), MODEL));
    assertThat(started.await(5, TimeUnit.SECONDS)).as("told that b's reply began").isTrue();
    Thread.sleep(300);
    assertThat(replyB).as("decoded only with a slot, small replies too").isNotDone();

    framesA.subList(1, framesA.size()).forEach(a::send);
    replyA.get(5, TimeUnit.SECONDS).close();
    try (Reply gotB = replyB.get(5, TimeUnit.SECONDS)) {
      assertThat(gotB.message().arrays().contentEquals(MODEL.arrays())).isTrue();
    }
    assertThat(b.nextGrant(Duration.ofMillis(200))).as("a whole message is never granted").isNull();
    assertThat(server.registry().bytesReceived()).isEqualTo(2 * MODEL.arrays().byteSize());
  }

  @Test
  void aWholeFrameThatAnswersNoRequestClosesTheConnectionNamingIt() throws Exception {
    server(1);
    RawPeer a = connected("a");

    a.send(a.encodeWhole(77, MODEL));

    assertBrokeTheProtocol(a, "answers request 77, which is not open");
  }

  @Test
  void smallMessagesAreNeverGranted() throws Exception {
    server(1);
    RawPeer a = connected("a");
    CompletableFuture<Reply> reply = server.registry().client("a").orElseThrow().request(Message.of("evaluate"));
    a.reply(a.nextMessage().metadata().messageId(), Message.of("evaluate_result"));
    reply.get(5, TimeUnit.SECONDS).close();
    reply = train("a");
    a.reply(a.nextMessage().metadata().messageId(), MODEL); // arrays, but within Protocol.UNGRANTED_ARRAY_BYTES
    reply.get(5, TimeUnit.SECONDS).close();
    assertThat(a.nextGrant(Duration.ofMillis(200))).isNull();
    reply = train("a");
    a.send(RawPeer.inPieces(MODEL.withMetadata(MODEL.metadata().withIds(99, a.nextMessage().metadata().messageId())),
        1 << 20).get(0)); // the start of a small reply sent in pieces: not granted either
    assertThat(a.nextGrant(Duration.ofMillis(200))).isNull();
  }
}
