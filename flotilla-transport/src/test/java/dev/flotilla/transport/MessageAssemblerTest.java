package dev.flotilla.transport;

import static dev.flotilla.transport.TestMessages.assemble;
import static dev.flotilla.transport.TestMessages.frames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.transport.proto.ArrayHeader;
import dev.flotilla.transport.proto.Chunk;
import dev.flotilla.transport.proto.DataType;
import dev.flotilla.transport.proto.ErrorCode;
import dev.flotilla.transport.proto.ErrorInfo;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.transport.proto.Hello;
import dev.flotilla.transport.proto.MessageEnd;
import dev.flotilla.transport.proto.MessageStart;
import dev.flotilla.transport.proto.WholeMessage;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What {@link MessageAssembler} refuses, and that it refuses it before holding array memory. */
class MessageAssemblerTest {
  /** Elements of a float32 array of 8 GiB less 128 KiB: far above the test heap (-Xmx3g). */
  private static final long HUGE_FLOATS = (1L << 15) * ((1L << 16) - 1);
  private static final Message MESSAGE = TestMessages.withArrays("train", TestMessages.everyDtype());

  @Test
  void corruptedByteFailsTheChecksumNamingTheArray() {
    int lastByte = (int) MESSAGE.arrays().byteSize() - 1;
    int oneChunk = lastByte + 1;
    // sent whole (one frame), and as start, one chunk and end (a chunk size below the message's array bytes)
    for (int chunkBytes : new int[] {1 << 20, oneChunk - 1}) {
      assertThatThrownBy(() -> assemble(corrupting(frames(MESSAGE, chunkBytes), 0)))
          .isInstanceOf(ProtocolException.class).hasMessageContaining("array 'f32'").hasMessageContaining("CRC32");
    }
    assertThatThrownBy(() -> assemble(corrupting(frames(MESSAGE, 1 << 20), lastByte)))
        .isInstanceOf(ProtocolException.class).hasMessageContaining("array 'i8.last'").hasMessageContaining("CRC32");
  }

  @Test
  void aWholeMessageIsCheckedAsItsThreeFramesWouldBe() {
    Frame whole = frames(MESSAGE, 1 << 20).get(0);
    assertThat(whole.hasWhole()).isTrue();
    TestMessages.assertSameArrays(assemble(List.of(whole)).arrays(), MESSAGE.arrays());

    Frame shortOfData = Frame.newBuilder().setWhole(whole.getWhole().toBuilder()
        .setData(whole.getWhole().getData().substring(1))).build();
    assertThatThrownBy(() -> assemble(List.of(shortOfData))).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("message 12 ended after");
    Frame missingCrc = Frame.newBuilder().setWhole(whole.getWhole().toBuilder().clearCrc32()
        .addAllCrc32(whole.getWhole().getCrc32List().subList(1, whole.getWhole().getCrc32Count()))).build();
    assertThatThrownBy(() -> assemble(List.of(missingCrc))).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("checksums for");
    MessageAssembler busy = new MessageAssembler();
    busy.accept(frames(MESSAGE, 64).get(0));
    assertThatThrownBy(() -> busy.accept(whole)).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("started before message 12 ended");
  }

  @Test
  void aWholeMessageLargerThanSixtyFourKibibytesIsRefusedNamingTheLimit() {
    int floats = Protocol.WHOLE_MESSAGE_ARRAY_BYTES / 4 + 1;
    Message big = TestMessages.withArrays("train", ModelWeights.of(Tensor.of("w", new int[] {floats},
        new float[floats])));
    List<Frame> frames = frames(big, 1 << 20);
    assertThat(frames).as("start, chunk and end").hasSize(3);
    Frame smuggled = Frame.newBuilder().setWhole(WholeMessage.newBuilder().setStart(frames.get(0).getStart())
        .setData(frames.get(1).getChunk().getData()).addAllCrc32(frames.get(2).getEnd().getCrc32List())).build();

    assertThatThrownBy(() -> assemble(List.of(smuggled))).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("message 12 came whole with 65540 array bytes; at most 65536 may travel in one frame");
  }

  @Test
  void truncatedMessageIsRejected() {
    List<Frame> frames = frames(MESSAGE, 64);
    frames.remove(frames.size() - 2); // the last chunk

    assertThatThrownBy(() -> assemble(frames)).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("message 12 ended after");
  }

  @Test
  void extraBytesAreRejected() {
    List<Frame> frames = frames(MESSAGE, 64);
    frames.add(frames.size() - 1, chunk(12, new byte[3]));

    assertThatThrownBy(() -> assemble(frames)).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("more than the");
  }

  @Test
  void byteLengthThatDoesNotMatchTheShapeIsRejected() {
    assertThatThrownBy(() -> accept(array("w", DataType.DATA_TYPE_FLOAT32, 10, 2, 3)))
        .isInstanceOf(ProtocolException.class).hasMessageContaining("array 'w'")
        .hasMessageContaining("byte_length 10").hasMessageContaining("float32[2, 3] needs 24");
    assertThatThrownBy(() -> accept(array("n", DataType.DATA_TYPE_INT64, 12, 3)))
        .isInstanceOf(ProtocolException.class).hasMessageContaining("int64[3] needs 24");
  }

  @Test
  void hugeArrayWithAWrongByteLengthIsRejectedBeforeAllocation() {
    MessageAssembler assembler = new MessageAssembler();

    assertThatThrownBy(() -> assembler.accept(start(1, array("w", DataType.DATA_TYPE_FLOAT32, 4, HUGE_FLOATS))))
        .isInstanceOf(ProtocolException.class).hasMessageContaining("needs " + 4 * HUGE_FLOATS);
    assertThat(assembler.inProgress()).isFalse();
  }

  @Test
  void hugeArrayOverTheCapIsRefusedFromItsHeader() {
    MessageAssembler assembler = new MessageAssembler(HeaderPolicy.maxMessageBytes(1L << 30));

    assertThatThrownBy(() -> assembler.accept(start(1,
        array("w", DataType.DATA_TYPE_FLOAT32, 4 * HUGE_FLOATS, HUGE_FLOATS))))
        .isInstanceOf(ProtocolException.class).hasMessageContaining("declares " + 4 * HUGE_FLOATS + " array bytes")
        .hasMessageContaining("more than the 1073741824");
    assertThat(assembler.inProgress()).isFalse();
  }

  @Test
  void arraysAreNotAllocatedBeforeTheirBytesArrive() {
    MessageAssembler assembler = new MessageAssembler(); // no cap: an 8 GiB header alone must not exhaust the heap

    assembler.accept(start(1, array("w", DataType.DATA_TYPE_FLOAT32, 4 * HUGE_FLOATS, HUGE_FLOATS)));

    assertThat(assembler.inProgress()).isTrue();
  }

  @Test
  void arrayTooLargeForOneByteArrayIsRejected() {
    assertThatThrownBy(() -> accept(array("n", DataType.DATA_TYPE_INT64, 8L << 30, 1L << 30)))
        .isInstanceOf(ProtocolException.class).hasMessageContaining("array 'n'")
        .hasMessageContaining("needs 8589934592 bytes").hasMessageContaining("int64 array can hold");
  }

  @Test
  void unknownDtypeIsRejectedNamingIt() {
    ArrayHeader.Builder w = ArrayHeader.newBuilder().setName("w").setDtypeValue(42).addShape(4).setByteLength(4);
    assertThatThrownBy(() -> accept(w)).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("array 'w'").hasMessageContaining("unknown dtype 42");

    ArrayHeader.Builder unset = ArrayHeader.newBuilder().setName("u").addShape(4).setByteLength(4);
    assertThatThrownBy(() -> accept(unset)).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("array 'u'").hasMessageContaining("dtype is not set");
  }

  @Test
  void badDimensionsAndNamesAreRejected() {
    assertThatThrownBy(() -> accept(array("w", DataType.DATA_TYPE_FLOAT32, 8, -2)))
        .isInstanceOf(ProtocolException.class).hasMessageContaining("invalid dimension -2");
    assertThatThrownBy(() -> accept(array("w", DataType.DATA_TYPE_INT8, 1, 1L << 31)))
        .isInstanceOf(ProtocolException.class).hasMessageContaining("invalid dimension 2147483648");
    assertThatThrownBy(() -> accept(array("w", DataType.DATA_TYPE_INT8, 1, 1), array("w", DataType.DATA_TYPE_INT8,
        1, 1))).isInstanceOf(ProtocolException.class).hasMessageContaining("two arrays named 'w'");
  }

  @Test
  void badMetadataIsRejectedNamingIt() {
    assertThatThrownBy(() -> new MessageAssembler().accept(start(0))).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("message_id 0");
    Frame version = Frame.newBuilder().setStart(MessageStart.newBuilder().setMessageId(3).setType("t")
        .setModelVersion(-5)).build();
    assertThatThrownBy(() -> new MessageAssembler().accept(version)).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("message 3").hasMessageContaining("-5");
    Frame deadline = Frame.newBuilder().setStart(MessageStart.newBuilder().setMessageId(3).setType("t")
        .setDeadlineUnixMillis(-1)).build();
    assertThatThrownBy(() -> new MessageAssembler().accept(deadline)).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("deadlineMillis");
  }

  @Test
  void errorOnAMessageThatIsNotAnErrorIsRejected() {
    Frame f = Frame.newBuilder().setStart(MessageStart.newBuilder().setMessageId(3).setType("train")
        .setError(ErrorInfo.newBuilder().setCode(ErrorCode.ERROR_CODE_INTERNAL).setReason("x"))).build();

    assertThatThrownBy(() -> new MessageAssembler().accept(f)).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("message 3 of type 'train' carries an error");
  }

  @Test
  void errorWithoutCodeIsRejected() {
    Frame f = Frame.newBuilder().setStart(MessageStart.newBuilder().setMessageId(3).setType("error")
        .setError(ErrorInfo.newBuilder().setReason("why"))).build();

    assertThatThrownBy(() -> new MessageAssembler().accept(f)).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("message 3").hasMessageContaining("no code");
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
  void wrongNumberOfChecksumsIsRejected() {
    MessageAssembler a = new MessageAssembler();
    a.accept(start(1));
    assertThatThrownBy(() -> a.accept(Frame.newBuilder().setEnd(MessageEnd.newBuilder().setMessageId(1)
        .addCrc32(0).addCrc32(0)).build()))
        .isInstanceOf(ProtocolException.class).hasMessageContaining("2 checksums for 0 arrays");
  }

  @Test
  void randomGarbageFramesNeverEscapeAsAnotherException() {
    Random random = new Random(1);
    for (int i = 0; i < 500; i++) {
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
  void replyToInProgressIsThatOfTheOpenMessage() {
    MessageAssembler a = new MessageAssembler();
    List<Frame> frames = frames(MESSAGE, 64);
    a.accept(frames.get(0));

    assertThat(a.replyToInProgress()).isEqualTo(11);
  }

  private static void accept(ArrayHeader.Builder... arrays) {
    new MessageAssembler().accept(start(1, arrays));
  }

  private static ArrayHeader.Builder array(String name, DataType dtype, long byteLength, long... shape) {
    ArrayHeader.Builder h = ArrayHeader.newBuilder().setName(name).setDtype(dtype).setByteLength(byteLength);
    for (long d : shape) {
      h.addShape(d);
    }
    return h;
  }

  private static Frame start(long id, ArrayHeader.Builder... arrays) {
    MessageStart.Builder s = MessageStart.newBuilder().setMessageId(id).setType("train").setModelVersion(-1);
    for (ArrayHeader.Builder h : arrays) {
      s.addArrays(h);
    }
    return Frame.newBuilder().setStart(s).build();
  }

  private static Frame chunk(long id, byte[] data) {
    return Frame.newBuilder().setChunk(Chunk.newBuilder().setMessageId(id).setData(ByteString.copyFrom(data)))
        .build();
  }

  /** {@code frames} (of one chunk) with byte {@code at} of the chunk stream flipped. */
  /** {@code frames} with byte {@code at} of the first chunk's data (or of the whole message's data) flipped. */
  private static List<Frame> corrupting(List<Frame> frames, int at) {
    if (frames.get(0).hasWhole()) {
      WholeMessage whole = frames.get(0).getWhole();
      frames.set(0, Frame.newBuilder().setWhole(whole.toBuilder().setData(flipped(whole.getData(), at))).build());
      return frames;
    }
    Chunk chunk = frames.get(1).getChunk();
    frames.set(1, Frame.newBuilder().setChunk(chunk.toBuilder().setData(flipped(chunk.getData(), at))).build());
    return frames;
  }

  private static ByteString flipped(ByteString data, int at) {
    byte[] bytes = data.toByteArray();
    bytes[at] ^= 0x01;
    return ByteString.copyFrom(bytes);
  }
}
