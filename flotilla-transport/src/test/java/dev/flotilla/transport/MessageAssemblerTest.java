package dev.flotilla.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.core.testing.TestModels;
import dev.flotilla.transport.proto.ArrayHeader;
import dev.flotilla.transport.proto.Chunk;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.transport.proto.Hello;
import dev.flotilla.transport.proto.MessageEnd;
import dev.flotilla.transport.proto.MessageStart;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageAssemblerTest {
  private static final List<TensorSpec> SPECS = List.of(new TensorSpec("conv.weight", new int[] {4, 3, 3}),
      new TensorSpec("empty", new int[] {0, 5}), new TensorSpec("scalar", new int[] {}),
      new TensorSpec("bias", new int[] {17}));

  private static Message message() {
    return new Message("train", Config.of("lr", 0.05, "epochs", 2, "shuffle", true, "name", "x"),
        Metrics.of("loss", 0.25), TestModels.random(SPECS, 7));
  }

  private static List<Frame> frames(Envelope env, int chunkBytes) {
    List<Frame> out = new ArrayList<>();
    new MessageEncoder(chunkBytes).encode(env).forEachRemaining(out::add);
    return out;
  }

  private static Envelope assemble(List<Frame> frames) {
    MessageAssembler assembler = new MessageAssembler();
    Envelope result = null;
    for (Frame f : frames) {
      assertThat(result).as("a message is complete before its last frame").isNull();
      result = assembler.accept(f).orElse(null);
    }
    assertThat(assembler.inProgress()).isFalse();
    return result;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 4, 7, 64, 1 << 20})
  void roundTripKeepsEverythingForAnyChunkSize(int chunkBytes) {
    Envelope sent = new Envelope(5, 3, message());
    Envelope got = assemble(frames(sent, chunkBytes));

    assertThat(got.messageId()).isEqualTo(5);
    assertThat(got.replyTo()).isEqualTo(3);
    assertThat(got.message().type()).isEqualTo("train");
    assertThat(got.message().config()).isEqualTo(sent.message().config());
    assertThat(got.message().metrics()).isEqualTo(sent.message().metrics());
    assertThat(got.message().arrays().contentEquals(sent.message().arrays())).isTrue();
  }

  @Test
  void chunksHaveTheConfiguredSizeExceptTheLast() {
    List<Frame> frames = frames(new Envelope(1, 0, message()), 7);
    long total = message().arrays().byteSize();
    List<Integer> sizes = frames.stream().filter(Frame::hasChunk).map(f -> f.getChunk().getData().size()).toList();

    assertThat(sizes.subList(0, sizes.size() - 1)).containsOnly(7);
    assertThat(sizes.stream().mapToLong(Integer::longValue).sum()).isEqualTo(total);
    assertThat(frames.get(0).hasStart()).isTrue();
    assertThat(frames.get(frames.size() - 1).hasEnd()).isTrue();
  }

  @Test
  void specialFloatValuesCrossBitForBit() {
    float[] v = {Float.NaN, Float.POSITIVE_INFINITY, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE, -1.5e-40f};
    Message m = new Message("x", Config.empty(), Metrics.empty(),
        ModelWeights.of(List.of(Tensor.of("v", new int[] {6}, v))));
    Envelope got = assemble(frames(new Envelope(1, 0, m), 5));

    assertThat(got.message().arrays().get(0).toArray()).containsExactly(v);
  }

  @Test
  void messageWithoutArraysIsStartAndEnd() {
    List<Frame> frames = frames(new Envelope(9, 0, Message.of("finish")), 16);

    assertThat(frames).hasSize(2);
    assertThat(assemble(frames).message().arrays().count()).isZero();
  }

  @Test
  void consecutiveMessagesOnOneStream() {
    MessageAssembler assembler = new MessageAssembler();
    List<Envelope> got = new ArrayList<>();
    for (long id = 1; id <= 3; id++) {
      for (Frame f : frames(new Envelope(id, 0, message()), 11)) {
        assembler.accept(f).ifPresent(got::add);
      }
    }
    assertThat(got).extracting(Envelope::messageId).containsExactly(1L, 2L, 3L);
  }

  @Test
  void corruptedByteFailsTheChecksumNamingTheArray() {
    List<Frame> frames = frames(new Envelope(1, 0, message()), 1 << 20);
    Chunk chunk = frames.get(1).getChunk();
    byte[] bytes = chunk.getData().toByteArray();
    bytes[bytes.length - 1] ^= 0x01; // last byte belongs to 'bias'
    frames.set(1, Frame.newBuilder().setChunk(chunk.toBuilder().setData(ByteString.copyFrom(bytes))).build());

    assertThatThrownBy(() -> assemble(frames)).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("array 'bias'").hasMessageContaining("CRC32");
  }

  @Test
  void truncatedMessageIsRejected() {
    List<Frame> frames = frames(new Envelope(1, 0, message()), 64);
    frames.remove(frames.size() - 2); // the last chunk

    assertThatThrownBy(() -> assemble(frames)).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("message 1 ended after");
  }

  @Test
  void extraBytesAreRejected() {
    List<Frame> frames = frames(new Envelope(1, 0, message()), 64);
    frames.add(frames.size() - 1, chunk(1, new byte[3]));

    assertThatThrownBy(() -> assemble(frames)).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("more than the");
  }

  @Test
  void byteLengthThatDoesNotMatchTheShapeIsRejected() {
    Frame start = start(1, ArrayHeader.newBuilder().setName("w").setDtype("float32").addShape(2).addShape(3)
        .setByteLength(10));

    assertThatThrownBy(() -> new MessageAssembler().accept(start)).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("array 'w'").hasMessageContaining("byte_length 10").hasMessageContaining("needs 24");
  }

  @Test
  void unknownDtypeIsRejected() {
    Frame start = start(1, ArrayHeader.newBuilder().setName("w").setDtype("int8").addShape(4).setByteLength(4));

    assertThatThrownBy(() -> new MessageAssembler().accept(start)).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("unsupported dtype 'int8'");
  }

  @Test
  void negativeDimensionIsRejected() {
    Frame start = start(1, ArrayHeader.newBuilder().setName("w").setDtype("float32").addShape(-2).setByteLength(8));

    assertThatThrownBy(() -> new MessageAssembler().accept(start)).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("invalid dimension -2");
  }

  @Test
  void framesOutOfOrderAreRejected() {
    assertThatThrownBy(() -> new MessageAssembler().accept(chunk(4, new byte[4])))
        .isInstanceOf(ProtocolException.class).hasMessageContaining("outside any message");

    MessageAssembler a = new MessageAssembler();
    a.accept(start(1));
    assertThatThrownBy(() -> a.accept(start(2))).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("message 2 started before message 1 ended");

    MessageAssembler b = new MessageAssembler();
    b.accept(start(1));
    assertThatThrownBy(() -> b.accept(Frame.newBuilder().setEnd(MessageEnd.newBuilder().setMessageId(8)).build()))
        .isInstanceOf(ProtocolException.class).hasMessageContaining("inside message 1");

    assertThatThrownBy(() -> new MessageAssembler().accept(
        Frame.newBuilder().setHello(Hello.newBuilder().setClientId("x")).build()))
        .isInstanceOf(ProtocolException.class).hasMessageContaining("HELLO");
  }

  @Test
  void randomGarbageFramesNeverEscapeAsAnotherException() {
    Random random = new Random(1);
    for (int i = 0; i < 200; i++) {
      byte[] garbage = new byte[random.nextInt(64)];
      random.nextBytes(garbage);
      MessageAssembler assembler = new MessageAssembler();
      try {
        assembler.accept(Frame.parseFrom(garbage));
      } catch (ProtocolException | com.google.protobuf.InvalidProtocolBufferException expected) {
        // either is a clear refusal
      }
    }
  }

  @Test
  void wrongNumberOfChecksumsIsRejected() {
    MessageAssembler a = new MessageAssembler();
    a.accept(start(1));
    assertThatThrownBy(() -> a.accept(Frame.newBuilder().setEnd(MessageEnd.newBuilder().setMessageId(1)
        .addCrc32(0).addCrc32(0)).build()))
        .isInstanceOf(ProtocolException.class).hasMessageContaining("2 checksums for 0 arrays");
  }

  private static Frame start(long id, ArrayHeader.Builder... arrays) {
    MessageStart.Builder s = MessageStart.newBuilder().setMessageId(id).setType("train");
    for (ArrayHeader.Builder h : arrays) {
      s.addArrays(h);
    }
    return Frame.newBuilder().setStart(s).build();
  }

  private static Frame chunk(long id, byte[] data) {
    return Frame.newBuilder().setChunk(Chunk.newBuilder().setMessageId(id).setData(ByteString.copyFrom(data)))
        .build();
  }
}
