package dev.flotilla.transport;

import static dev.flotilla.transport.TestMessages.assertSameArrays;
import static dev.flotilla.transport.TestMessages.frames;
import static dev.flotilla.transport.TestMessages.sent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.transport.proto.Chunk;
import dev.flotilla.transport.proto.ConfigEntry;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.transport.proto.Hello;
import dev.flotilla.transport.proto.Welcome;
import io.grpc.KnownLength;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
    frames.addAll(frames(sent(TestMessages.withArrays("train", TestMessages.everyDtype()), 5), 64)); // start, chunks, end
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
