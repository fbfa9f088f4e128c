package dev.flotilla.transport;

import static dev.flotilla.transport.TestMessages.assertSameArrays;
import static dev.flotilla.transport.TestMessages.frames;
import static dev.flotilla.transport.TestMessages.sent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.tensor.BufferLoan;
import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.transport.proto.Chunk;
import dev.flotilla.transport.proto.ConfigEntry;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.transport.proto.Hello;
import dev.flotilla.transport.proto.Welcome;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FrameMarshallerTest {
  private static final FrameMarshaller MARSHALLER = FrameMarshaller.INSTANCE;

  @Test
  void everyFrameKindSurvivesARoundTripAsTheStockProtobufBytes() throws IOException {
    List<Frame> frames = new ArrayList<>();
    frames.add(Frame.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(Protocol.VERSION).setClientId("c-1")
        .addProperties(ConfigEntry.newBuilder().setKey("num_examples").setIntValue(600))).build());
    frames.add(Frame.newBuilder().setWelcome(Welcome.newBuilder().setProtocolVersion(Protocol.VERSION)).build());
    // start, chunks, end
    frames.addAll(frames(sent(TestMessages.withArrays("train", TestMessages.everyDtype()), 5), 64));
    frames.addAll(frames(sent(Message.error(MessageError.Code.BAD_REQUEST, "no"), 6), 64));
    frames.add(Frame.newBuilder().setChunk(Chunk.newBuilder().setMessageId(7)).build()); // empty data
    frames.add(Frame.getDefaultInstance()); // no kind: the assembler's business to refuse

    for (Frame f : frames) {
      byte[] wire = drain(MARSHALLER.stream(f));
      assertThat(wire).as("wire bytes of %s", f.getKindCase()).containsExactly(f.toByteArray());
      assertThat(MARSHALLER.parse(known(wire))).isEqualTo(f);
      assertThat(MARSHALLER.parse(new ByteArrayInputStream(wire))).as("a stream of unknown length").isEqualTo(f);
    }
  }

  @Test
  void aMessageCrossesTheMarshallerBitForBit() {
    Message message = sent(TestMessages.withArrays("train", TestMessages.everyDtype()), 9);
    MessageAssembler assembler = new MessageAssembler();
    Optional<Message> got = Optional.empty();
    for (Frame f : frames(message, 7)) {
      got = assembler.accept(MARSHALLER.parse(known(f.toByteArray())));
    }
    assertThat(got).isPresent();
    assertSameArrays(got.get().arrays(), message.arrays());
  }

  @Test
  void aParsedChunkOwnsItsBytes() {
    byte[] data = {1, 2, 3, 4, 5};
    byte[] wire = Frame.newBuilder().setChunk(Chunk.newBuilder().setMessageId(1)
        .setData(ByteString.copyFrom(data))).build().toByteArray();
    Frame parsed = MARSHALLER.parse(known(wire));
    Arrays.fill(wire, (byte) 0);
    MARSHALLER.parse(known(Frame.newBuilder().setChunk(Chunk.newBuilder().setMessageId(2)
        .setData(ByteString.copyFrom(new byte[] {9, 9, 9, 9, 9}))).build().toByteArray()));

    assertThat(parsed.getChunk().getData().toByteArray()).containsExactly(data);
  }

  @Test
  void parsingAChunkCopiesItsBytesOnceNotTwice() {
    byte[] data = new byte[1 << 20];
    Arrays.fill(data, (byte) 7);
    byte[] wire = Frame.newBuilder().setChunk(Chunk.newBuilder().setMessageId(1)
        .setData(ByteString.copyFrom(data))).build().toByteArray();
    org.junit.jupiter.api.Assumptions.assumeTrue(AllocationMeter.supported(), "per-thread allocation counting");
    for (int i = 0; i < 3; i++) {
      MARSHALLER.parse(known(wire)); // loads and links what parsing needs
    }
    long before = AllocationMeter.allocatedBytes();
    Frame parsed = MARSHALLER.parse(known(wire));
    long allocated = AllocationMeter.allocatedBytes() - before;

    assertThat(parsed.getChunk().getData().size()).isEqualTo(data.length);
    // The frame's own array, plus a few small objects; a parser that copied the bytes field would need twice that.
    assertThat(allocated).isBetween((long) wire.length, wire.length + 64L * 1024);
  }

  @Test
  void aLargeChunkIsParsedOverTheTransportsBuffersUntilReleased() {
    byte[] data = new byte[(1 << 20) + 3];
    new java.util.Random(5).nextBytes(data);
    Frame chunk = Frame.newBuilder().setChunk(Chunk.newBuilder().setMessageId(11)
        .setData(ByteString.copyFrom(data))).build();
    org.junit.jupiter.api.Assumptions.assumeTrue(AllocationMeter.supported(), "per-thread allocation counting");
    for (int i = 0; i < 3; i++) {
      LendingStream warm = LendingStream.of(chunk.toByteArray(), 16 * 1024);
      MARSHALLER.release(MARSHALLER.parse(warm));
    }
    LendingStream stream = LendingStream.of(chunk.toByteArray(), 16 * 1024);

    long before = AllocationMeter.allocatedBytes();
    Frame parsed = MARSHALLER.parse(stream);
    long allocated = AllocationMeter.allocatedBytes() - before;

    assertThat(allocated).as("heap bytes allocated to parse a 1 MiB chunk").isLessThan(64 * 1024);
    assertThat(parsed).isEqualTo(chunk);
    assertThat(stream.closed()).as("buffers closed before release").isFalse();
    assertThat(MARSHALLER.lentFrames()).isEqualTo(1);
    MARSHALLER.release(parsed);
    MARSHALLER.release(parsed);
    assertThat(stream.closed()).isTrue();
    assertThat(MARSHALLER.lentFrames()).isZero();
  }

  @Test
  void aMessageWhoseArraysAreLentHoldsItsChunkFramesUntilItsLoanIsGivenBack() {
    Message message = lentMessage();
    MessageAssembler assembler = lendingAssembler();
    Message got = null;
    for (Frame f : frames(message, 40_000)) {
      Frame parsed = MARSHALLER.parse(LendingStream.of(f.toByteArray(), 4093)); // pieces cut inside floats
      got = assembler.accept(parsed).orElse(got);
      MARSHALLER.release(parsed); // as a receiver does after each frame
    }
    BufferLoan loan = assembler.takeLoan();

    assertThat(MARSHALLER.lentFrames()).as("the chunk frames of 32 KiB or more, held").isEqualTo(12);
    Tensor a = got.arrays().get(0);
    Tensor b = got.arrays().get(2);
    assertThat(a.isLent()).isTrue();
    assertThat(b.isLent()).isTrue();
    float[] acc = new float[b.size()];
    b.addScaledTo(acc, 1f);
    assertThat(acc).as("read where it arrived, across pieces and chunks").containsExactly(
        message.arrays().get(2).toArray());
    assertThat(got.arrays().contentEquals(message.arrays())).isTrue();
    loan.giveBack();
    assertThat(MARSHALLER.lentFrames()).isZero();
  }

  @Test
  void aLentMessageThatFailsOrIsDiscardedGivesItsFramesBack() {
    List<Frame> frames = frames(lentMessage(), 40_000);
    MessageAssembler failing = lendingAssembler();
    assertThatThrownBy(() -> {
      for (int i = 0; i < frames.size(); i++) {
        byte[] wire = frames.get(i).toByteArray();
        if (i == 2) {
          wire[wire.length - 1] ^= 0x10; // the last data byte of the second chunk: still valid protobuf
        }
        Frame parsed = MARSHALLER.parse(LendingStream.of(wire, 4093));
        try {
          failing.accept(parsed);
        } finally {
          MARSHALLER.release(parsed);
        }
      }
    }).isInstanceOf(ProtocolException.class).hasMessageContaining("failed its CRC32 check");
    assertThat(MARSHALLER.lentFrames()).isZero();

    MessageAssembler dropped = lendingAssembler();
    for (Frame f : frames.subList(0, 4)) {
      Frame parsed = MARSHALLER.parse(LendingStream.of(f.toByteArray(), 4093));
      dropped.accept(parsed);
      MARSHALLER.release(parsed);
    }
    assertThat(MARSHALLER.lentFrames()).isEqualTo(3);
    dropped.discard(); // the connection closed mid-message
    assertThat(MARSHALLER.lentFrames()).isZero();
  }

  /** Two float32 arrays of 200 KB and 280 KB, the second after an array of 3 bytes (so its floats straddle chunks). */
  private static Message lentMessage() {
    return sent(TestMessages.withArrays("train", ModelWeights.of(floats("a", 50_001, 1),
        Tensor.wrapBytes(new TensorSpec("odd", DType.INT8, new int[] {3}), new byte[] {1, 2, 3}),
        floats("b", 70_000, 2))), 3);
  }

  private static MessageAssembler lendingAssembler() {
    return new MessageAssembler(HeaderPolicy.maxMessageBytes(Long.MAX_VALUE), true, h -> true);
  }

  @Test
  void smallChunksAndOtherFramesAreCopiedAndHoldNothing() {
    Frame small = Frame.newBuilder().setChunk(Chunk.newBuilder().setMessageId(1)
        .setData(ByteString.copyFrom(new byte[100]))).build();
    Frame start = frames(sent(TestMessages.withArrays("train", TestMessages.everyDtype()), 1), 64).get(0);
    for (Frame f : List.of(small, start)) {
      LendingStream stream = LendingStream.of(f.toByteArray(), 7);
      assertThat(MARSHALLER.parse(stream)).isEqualTo(f);
      assertThat(MARSHALLER.lentFrames()).isZero();
    }
  }

  @Test
  void anInvalidLentFrameFailsAndReturnsTheBuffers() {
    byte[] wire = Frame.newBuilder().setChunk(Chunk.newBuilder().setMessageId(1)
        .setData(ByteString.copyFrom(new byte[100_000]))).build().toByteArray();
    LendingStream stream = LendingStream.of(Arrays.copyOf(wire, wire.length - 10), 4096);

    assertThatThrownBy(() -> MARSHALLER.parse(stream)).isInstanceOf(StatusRuntimeException.class)
        .hasMessageContaining("invalid Frame");
    assertThat(stream.closed()).isTrue();
    assertThat(MARSHALLER.lentFrames()).isZero();
  }

  @Test
  void aCorruptedChunkStillFailsItsChecksum() {
    Message message = sent(TestMessages.withArrays("train", TestMessages.everyDtype()), 3);
    MessageAssembler assembler = new MessageAssembler();
    List<Frame> frames = frames(message, 16);
    assertThatThrownBy(() -> {
      for (Frame f : frames) {
        byte[] wire = f.toByteArray();
        if (f.hasChunk() && f.getChunk().getData().size() == 16) {
          wire[wire.length - 1] ^= 0x10; // the last data byte: still valid protobuf
        }
        assembler.accept(MARSHALLER.parse(known(wire)));
      }
    }).isInstanceOf(ProtocolException.class).hasMessageContaining("failed its CRC32 check");
  }

  @Test
  void aStreamShorterThanItsKnownLengthIsRejected() {
    byte[] wire = frames(sent(TestMessages.withArrays("train", TestMessages.everyDtype()), 1), 64).get(1)
        .toByteArray();
    InputStream cut = new KnownLengthStream(Arrays.copyOf(wire, wire.length - 10), wire.length);

    assertThatThrownBy(() -> MARSHALLER.parse(cut)).isInstanceOf(StatusRuntimeException.class)
        .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.INTERNAL))
        .hasMessageContaining("ended after " + (wire.length - 10) + " of its " + wire.length + " bytes");
  }

  @Test
  void aTruncatedFrameIsRejectedAsInvalid() {
    byte[] wire = frames(sent(TestMessages.withArrays("train", TestMessages.everyDtype()), 1), 64).get(1)
        .toByteArray();

    assertThatThrownBy(() -> MARSHALLER.parse(known(Arrays.copyOf(wire, wire.length - 10))))
        .isInstanceOf(StatusRuntimeException.class)
        .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.INTERNAL))
        .hasMessageContaining("invalid Frame");
  }

  @Test
  void garbageIsRejectedAsInvalid() {
    byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 0x12, 0x00};

    assertThatThrownBy(() -> MARSHALLER.parse(known(garbage))).isInstanceOf(StatusRuntimeException.class)
        .hasMessageContaining("invalid Frame");
  }

  @Test
  void aDrawnChunkIsWrittenAsTheStockBytesOfTheChunkItStandsFor() throws IOException {
    ModelWeights large = ModelWeights.of(List.of(floats("a", 50_001, 1), TestMessages.random(DType.INT8, 7, 2),
        floats("b", 40_000, 3)));
    // Chunks of one byte, ending inside values, larger than the scratch array, crossing tensors of every type.
    Map<Integer, ModelWeights> cases = Map.of(1, TestMessages.everyDtype(), 7, TestMessages.everyDtype(),
        ChunkSource.SCRATCH_BYTES + 3, large, 3 * ChunkSource.SCRATCH_BYTES, large);
    for (Map.Entry<Integer, ModelWeights> c : cases.entrySet()) {
      Message message = sent(TestMessages.withArrays("train", c.getValue()), 4);
      List<Frame> plain = frames(message, c.getKey());
      List<Frame> drawn = new ArrayList<>();
      new MessageEncoder(c.getKey()).encodeDrawn(message).forEachRemaining(drawn::add);

      assertThat(drawn).hasSameSizeAs(plain);
      for (int i = 0; i < plain.size(); i++) {
        InputStream stream = MARSHALLER.stream(drawn.get(i));
        assertThat(stream.available()).isEqualTo(plain.get(i).getSerializedSize());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (stream instanceof Drainable d) {
          d.drainTo(out);
        } else {
          stream.transferTo(out);
        }
        assertThat(out.toByteArray()).as("frame %d in chunks of %d", i, c.getKey())
            .containsExactly(plain.get(i).toByteArray());
        assertThat(stream.available()).isZero();
      }
    }
    assertThat(MARSHALLER.drawnFrames()).as("every drawn frame was written").isZero();
  }

  @Test
  void aDrawnChunkReadAsAPlainStreamGivesTheSameBytes() throws IOException {
    Message message = sent(TestMessages.withArrays("train", TestMessages.everyDtype()), 8);
    List<Frame> plain = frames(message, 64);
    Iterator<Frame> drawn = new MessageEncoder(64).encodeDrawn(message);
    drawn.next(); // the start
    InputStream whole = MARSHALLER.stream(drawn.next());
    InputStream partly = MARSHALLER.stream(drawn.next());

    assertThat(whole.readAllBytes()).containsExactly(plain.get(1).toByteArray());
    byte[] second = plain.get(2).toByteArray();
    assertThat(partly.read()).isEqualTo(second[0] & 0xff);
    ByteArrayOutputStream rest = new ByteArrayOutputStream();
    assertThat(((Drainable) partly).drainTo(rest)).isEqualTo(second.length - 1);
    assertThat(rest.toByteArray()).containsExactly(Arrays.copyOfRange(second, 1, second.length));
    assertThat(partly.read()).isEqualTo(-1);
    drawn.forEachRemaining(MARSHALLER::forget);
  }

  @Test
  void aDrawnChunkThatNeverReachesTheTransportIsForgotten() throws IOException {
    Iterator<Frame> frames = new MessageEncoder(16).encodeDrawn(
        sent(TestMessages.withArrays("train", TestMessages.everyDtype()), 3));
    frames.next(); // the start
    Frame chunk = frames.next();
    assertThat(MARSHALLER.drawnFrames()).isEqualTo(1);

    MARSHALLER.forget(chunk);

    assertThat(MARSHALLER.drawnFrames()).isZero();
    assertThat(drain(MARSHALLER.stream(chunk))).as("now only the placeholder, without data")
        .containsExactly(chunk.toByteArray());
  }

  @Test
  void drawingALargeChunkAllocatesNoArrayOfItsSize() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(AllocationMeter.supported(), "per-thread allocation counting");
    int chunkBytes = 1 << 20;
    Message message = sent(TestMessages.withArrays("train", ModelWeights.of(List.of(floats("w", chunkBytes, 6)))), 1);
    MessageEncoder encoder = new MessageEncoder(chunkBytes);
    long least = Long.MAX_VALUE;
    for (int round = 0; round < 3; round++) { // the first rounds load and link what drawing needs
      Iterator<Frame> frames = encoder.encodeDrawn(message);
      frames.next(); // the start
      long before = AllocationMeter.allocatedBytes();
      for (int i = 0; i < 4; i++) {
        ((Drainable) MARSHALLER.stream(frames.next())).drainTo(OutputStream.nullOutputStream());
      }
      least = Math.min(least, AllocationMeter.allocatedBytes() - before);
      frames.next(); // the end
    }
    // Placeholders, headers and CRC state only; encoding into arrays would take four times the chunk size.
    assertThat(least).isLessThan(64 * 1024);
  }

  /** A float32 tensor over a float array (converted when written, unlike raw bytes) of {@code n} random values. */
  private static Tensor floats(String name, int n, long seed) {
    java.util.Random random = new java.util.Random(seed);
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return Tensor.of(name, new int[] {n}, values);
  }

  private static byte[] drain(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toByteArray();
  }

  private static InputStream known(byte[] bytes) {
    return new KnownLengthStream(bytes, bytes.length);
  }

  /** Like gRPC's message streams: announces its length through {@link #available()}, which may be a lie. */
  private static final class KnownLengthStream extends ByteArrayInputStream implements KnownLength {
    private final int announced;
    private int consumed;

    KnownLengthStream(byte[] bytes, int announced) {
      super(bytes);
      this.announced = announced;
    }

    @Override
    public synchronized int available() {
      return announced - consumed;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) {
      int n = super.read(b, off, len);
      consumed += Math.max(n, 0);
      return n;
    }

    @Override
    public synchronized int read() {
      int n = super.read();
      consumed += n < 0 ? 0 : 1;
      return n;
    }
  }
}
