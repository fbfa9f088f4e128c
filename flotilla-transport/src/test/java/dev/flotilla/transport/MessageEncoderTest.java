package dev.flotilla.transport;

import static dev.flotilla.transport.TestMessages.frames;
import static dev.flotilla.transport.TestMessages.sent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.transport.proto.ArrayHeader;
import dev.flotilla.transport.proto.DataType;
import dev.flotilla.transport.proto.ErrorCode;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.transport.proto.MessageStart;
import dev.flotilla.transport.proto.WholeMessage;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class MessageEncoderTest {
  private static final ModelWeights ARRAYS = TestMessages.everyDtype();
  private static final Message MESSAGE = TestMessages.withArrays("train", ARRAYS);

  @Test
  void chunksHaveTheConfiguredSizeExceptTheLast() {
    List<Frame> frames = frames(MESSAGE, 7);
    List<Integer> sizes = frames.stream().filter(Frame::hasChunk).map(f -> f.getChunk().getData().size()).toList();

    assertThat(sizes.subList(0, sizes.size() - 1)).containsOnly(7);
    assertThat(sizes.stream().mapToLong(Integer::longValue).sum()).isEqualTo(ARRAYS.byteSize());
    assertThat(frames.get(0).hasStart()).isTrue();
    assertThat(frames.get(frames.size() - 1).hasEnd()).isTrue();
  }

  @Test
  void chunkStreamIsTheArraysWireBytesInOrder() {
    byte[] stream = new byte[(int) ARRAYS.byteSize()];
    int at = 0;
    for (Frame f : frames(MESSAGE, 3)) {
      if (f.hasChunk()) {
        f.getChunk().getData().copyTo(stream, at);
        at += f.getChunk().getData().size();
      }
    }
    int expectedAt = 0;
    for (Tensor t : ARRAYS.tensors()) {
      byte[] want = t.toByteArray();
      byte[] got = Arrays.copyOfRange(stream, expectedAt, expectedAt + want.length);
      assertThat(got).as("bytes of %s", t.spec()).containsExactly(want);
      expectedAt += want.length;
    }
  }

  @Test
  void startCarriesMetadataAndTypedHeaders() {
    MessageStart s = frames(MESSAGE, 64).get(0).getStart();

    assertThat(s.getMessageId()).isEqualTo(12);
    assertThat(s.getReplyTo()).isEqualTo(11);
    assertThat(s.getGroup()).isEqualTo("round/4");
    assertThat(s.getModelVersion()).isEqualTo(3);
    assertThat(s.getDeadlineUnixMillis()).isEqualTo(1_700_000_000_123L);
    assertThat(s.hasError()).isFalse();
    ArrayHeader f16 = s.getArrays(2);
    assertThat(f16.getName()).isEqualTo("f16");
    assertThat(f16.getDtype()).isEqualTo(DataType.DATA_TYPE_FLOAT16);
    assertThat(f16.getShapeList()).containsExactly(3L, 3L);
    assertThat(f16.getByteLength()).isEqualTo(18);
    assertThat(s.getArraysList()).extracting(ArrayHeader::getDtype).contains(DataType.DATA_TYPE_FLOAT32,
        DataType.DATA_TYPE_BFLOAT16, DataType.DATA_TYPE_INT8, DataType.DATA_TYPE_INT32, DataType.DATA_TYPE_INT64,
        DataType.DATA_TYPE_BYTES);
  }

  @Test
  void absentModelVersionIsMinusOneOnTheWire() {
    MessageStart s = frames(sent(Message.of("finish"), 1), 64).get(0).getWhole().getStart();

    assertThat(s.getModelVersion()).isEqualTo(-1);
    assertThat(s.getDeadlineUnixMillis()).isZero();
  }

  @Test
  void errorIsInTheStart() {
    MessageStart s = frames(sent(Message.error(MessageError.Code.BAD_REQUEST, "shape"), 2), 64).get(0).getWhole()
        .getStart();

    assertThat(s.getType()).isEqualTo("error");
    assertThat(s.getError().getCode()).isEqualTo(ErrorCode.ERROR_CODE_BAD_REQUEST);
    assertThat(s.getError().getReason()).isEqualTo("shape");
  }

  @Test
  void endCarriesTheCrc32OfEachArraysBytes() {
    List<Frame> frames = frames(MESSAGE, 5);
    List<Integer> crcs = frames.get(frames.size() - 1).getEnd().getCrc32List();

    assertThat(crcs).hasSize(ARRAYS.count());
    for (int i = 0; i < ARRAYS.count(); i++) {
      CRC32 crc = new CRC32();
      crc.update(ARRAYS.get(i).toByteArray());
      assertThat(crcs.get(i)).as("CRC32 of %s", ARRAYS.get(i).spec()).isEqualTo((int) crc.getValue());
    }
  }

  @Test
  void aMessageWithoutArraysIsOneWholeFrame() {
    List<Frame> frames = frames(sent(Message.of("finish"), 9), 16);

    assertThat(frames).hasSize(1);
    WholeMessage whole = frames.get(0).getWhole();
    assertThat(whole.getStart().getMessageId()).isEqualTo(9);
    assertThat(whole.getStart().getType()).isEqualTo("finish");
    assertThat(whole.getData().isEmpty()).isTrue();
    assertThat(whole.getCrc32List()).isEmpty();
  }

  @Test
  void aMessageWhoseArraysFitOneChunkIsOneWholeFrameWithTheBytesAndChecksumsOfItsThree() {
    int oneChunk = (int) ARRAYS.byteSize();
    List<Frame> threeFrames = frames(MESSAGE, oneChunk - 1); // one byte too many for a chunk: start, chunks, end
    List<Frame> whole = frames(MESSAGE, oneChunk);

    assertThat(threeFrames.get(0).hasStart()).isTrue();
    assertThat(whole).hasSize(1);
    WholeMessage w = whole.get(0).getWhole();
    assertThat(w.getStart()).isEqualTo(threeFrames.get(0).getStart());
    assertThat(w.getData()).isEqualTo(threeFrames.get(1).getChunk().getData()
        .concat(threeFrames.get(2).getChunk().getData()));
    assertThat(w.getCrc32List()).isEqualTo(threeFrames.get(threeFrames.size() - 1).getEnd().getCrc32List());
  }

  @Test
  void aMessageOfMoreThanSixtyFourKibibytesOfArraysIsNeverWholeWhateverTheChunkSize() {
    int floats = Protocol.WHOLE_MESSAGE_ARRAY_BYTES / 4 + 1;
    Message big = sent(Message.of("train").withArrays(ModelWeights.of(Tensor.of("w", new int[] {floats},
        new float[floats]))), 3);

    assertThat(frames(big, 1 << 20)).extracting(Frame::getKindCase)
        .containsExactly(Frame.KindCase.START, Frame.KindCase.CHUNK, Frame.KindCase.END);
  }

  @Test
  void messageWithoutIdIsRefusedNamingIt() {
    MessageEncoder encoder = new MessageEncoder(16);

    assertThatThrownBy(() -> encoder.encode(Message.of("finish"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("positive message id").hasMessageContaining("got 0")
        .hasMessageContaining("'finish'");
  }

  @Test
  void chunkSizeOutOfRangeIsRefused() {
    assertThatThrownBy(() -> new MessageEncoder(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got 0");
    assertThatThrownBy(() -> new MessageEncoder(Protocol.MAX_CHUNK_BYTES + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
