package dev.flotilla.transport;

import static dev.flotilla.transport.TestMessages.assemble;
import static dev.flotilla.transport.TestMessages.assertSameArrays;
import static dev.flotilla.transport.TestMessages.frames;
import static dev.flotilla.transport.TestMessages.sent;
import static dev.flotilla.transport.TestMessages.withIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.Metadata;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.tensor.BufferLoan;
import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.core.testing.TestModels;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link MessageEncoder} then {@link MessageAssembler}: everything a message holds must come back unchanged. */
class MessageRoundTripTest {
  private static final int[] CHUNK_SIZES = {1, 3, 4, 7, 64, Protocol.DEFAULT_CHUNK_BYTES};

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 4, 5, 7, 64, Protocol.DEFAULT_CHUNK_BYTES})
  void everyDtypeWithEdgeValuesCrossesBitForBitForAnyChunkSize(int chunkBytes) {
    Message sent = TestMessages.withArrays("train", TestMessages.everyDtype());

    Message got = assemble(frames(sent, chunkBytes));

    assertThat(got.type()).isEqualTo("train");
    assertThat(got.metadata()).isEqualTo(sent.metadata());
    assertThat(got.config()).isEqualTo(sent.config());
    assertThat(got.metrics()).isEqualTo(sent.metrics());
    assertThat(got.error()).isNull();
    assertSameArrays(got.arrays(), sent.arrays());
    assertThat(got.arrays().contentEquals(sent.arrays())).isTrue();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 4, 5, 7, 64, Protocol.DEFAULT_CHUNK_BYTES})
  void decodedFloatsKnowWhereTheirFirstNonFiniteValueIsForAnyChunkSize(int chunkBytes) {
    checkFirstNonFinite(chunkBytes, new MessageAssembler());
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 4, 5, 7, 64, Protocol.DEFAULT_CHUNK_BYTES})
  void aDecoderThatDoesNotSearchLeavesTheSameAnswerToTheTensors(int chunkBytes) {
    checkFirstNonFinite(chunkBytes, new MessageAssembler(HeaderPolicy.maxMessageBytes(Long.MAX_VALUE), false));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 4, 5, 7, 64, Protocol.DEFAULT_CHUNK_BYTES})
  void lentArraysCrossBitForBitForAnyChunkSizeAndLastAsLongAsTheirLoan(int chunkBytes) {
    Message sent = TestMessages.withArrays("train", TestMessages.everyDtype());
    boolean chunked = !Protocol.sentWhole(sent.arrays().byteSize(), chunkBytes);
    MessageAssembler assembler = lending();

    Message got = assemble(frames(sent, chunkBytes), assembler);
    BufferLoan loan = assembler.takeLoan();

    Tensor f32 = got.arrays().find("f32").orElseThrow();
    Tensor scalar = got.arrays().find("f32.scalar").orElseThrow();
    assertThat(f32.isLent()).as("lent unless the message came whole").isEqualTo(chunked);
    assertThat(scalar.isLent()).isEqualTo(chunked);
    assertThat(f32.firstNonFinite()).isZero();
    assertThat(loan != null).isEqualTo(chunked);
    float[] acc = new float[1];
    scalar.addScaledTo(acc, 2f);
    assertThat(acc).containsExactly(-6.5f);
    assertThat(scalar.isLent()).as("folding reads the bytes where they are").isEqualTo(chunked);
    Tensor unread = f32.renamed("unread"); // the same bytes, not copied by what follows
    assertSameArrays(got.arrays(), sent.arrays()); // copies the lent values into arrays
    assertThat(got.arrays().contentEquals(sent.arrays())).isTrue();
    if (!chunked) {
      return;
    }
    assertThat(assembler.takeLoan()).as("taken once").isNull();
    loan.giveBack();
    assertThatThrownBy(unread::toArray).isInstanceOf(IllegalStateException.class).hasMessageContaining("given back");
    assertThat(scalar.get(0)).as("copied before the loan ended").isEqualTo(-3.25f);
    assertThat(got.arrays().find("i32").orElseThrow().toIntArray()).as("other dtypes are copied as ever")
        .containsExactly(Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 4, 5, 7, 64, Protocol.DEFAULT_CHUNK_BYTES})
  void lentFloatsKnowWhereTheirFirstNonFiniteValueIsForAnyChunkSize(int chunkBytes) {
    checkFirstNonFinite(chunkBytes, lending());
  }

  @Test
  void onlyTheMessagesThePredicatePicksAreLentAndAWholeMessageNever() {
    MessageAssembler assembler = new MessageAssembler(HeaderPolicy.maxMessageBytes(Long.MAX_VALUE), true,
        h -> h.type().equals("lend"));
    ModelWeights arrays = ModelWeights.of(Tensor.of("w", new int[] {300}, new float[300]));
    Message kept = assemble(frames(TestMessages.withArrays("keep", arrays), 64), assembler);
    assertThat(assembler.takeLoan()).isNull();
    assertThat(kept.arrays().get(0).isLent()).isFalse();
    Message lent = assemble(frames(TestMessages.withArrays("lend", arrays), 64), assembler);
    assertThat(lent.arrays().get(0).isLent()).isTrue();
    BufferLoan loan = assembler.takeLoan();
    assertThat(loan).isNotNull();
    Message whole = assemble(frames(TestMessages.withArrays("lend", arrays), Protocol.DEFAULT_CHUNK_BYTES), assembler);
    assertThat(whole.arrays().get(0).isLent()).as("a message in one frame is small: decoded").isFalse();
    assertThat(loan.isOver()).as("the loan taken stays the taker's").isFalse();
  }

  private static MessageAssembler lending() {
    return new MessageAssembler(HeaderPolicy.maxMessageBytes(Long.MAX_VALUE), true, h -> true);
  }

  private static void checkFirstNonFinite(int chunkBytes, MessageAssembler assembler) {
    int n = 5_000;
    List<Tensor> tensors = new ArrayList<>();
    int[][] badAt = {{}, {0}, {n - 1}, {17, 4_000}, {2_500, 18}, {1_234}};
    for (int a = 0; a < badAt.length; a++) {
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = (i % 7) - 3.5f;
      }
      for (int at : badAt[a]) {
        v[at] = at % 2 == 0 ? Float.NaN : Float.NEGATIVE_INFINITY;
      }
      tensors.add(Tensor.of("t" + a, new int[] {n}, v));
    }
    ModelWeights sent = ModelWeights.of(tensors);

    ModelWeights got = assemble(frames(TestMessages.withArrays("train", sent), chunkBytes), assembler).arrays();

    assertThat(got.contentEquals(sent)).isTrue();
    for (int a = 0; a < badAt.length; a++) {
      int expected = Tensor.firstNonFinite(sent.get(a).toArray(), 0, n);
      assertThat(got.get(a).firstNonFinite()).as("tensor t%d, chunks of %d bytes", a, chunkBytes).isEqualTo(expected);
    }
  }

  static Stream<Arguments> dtypesAndChunkSizes() {
    List<Arguments> out = new ArrayList<>();
    for (DType t : DType.values()) {
      for (int c : CHUNK_SIZES) {
        out.add(Arguments.of(t, c));
      }
    }
    return out.stream();
  }

  @ParameterizedTest
  @MethodSource("dtypesAndChunkSizes")
  void randomArrayOfEachDtypeCrossesBitForBit(DType dtype, int chunkBytes) {
    ModelWeights arrays = ModelWeights.of(TestMessages.random(dtype, 1001, dtype.ordinal()),
        Tensor.wrapBytes(new TensorSpec("tail", DType.INT8, new int[] {3}), new byte[] {1, 2, 3}));

    Message got = assemble(frames(sent(new Message("x", Config.empty(), Metrics.empty(), arrays), 1), chunkBytes));

    assertSameArrays(got.arrays(), arrays);
  }

  @Test
  void edgeValuesKeepTheirMeaning() {
    ModelWeights got = assemble(frames(TestMessages.withArrays("x", TestMessages.everyDtype()), 3)).arrays();

    assertThat(got.get("f32").get(1)).isNaN();
    assertThat(Float.floatToRawIntBits(got.get("f32").get(1))).isEqualTo(0x7fc00001);
    assertThat(got.get("f32").get(5)).isEqualTo(Float.MIN_VALUE);
    assertThat(got.get("f16").toFloat32().get(4)).isEqualTo(0x1p-24f);
    assertThat(got.get("f16").toFloat32().get(2)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(got.get("bf16").toFloat32().get(4)).isEqualTo(Float.intBitsToFloat(0x00010000));
    assertThat(got.get("i32").toIntArray()).containsExactly(Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1);
    assertThat(got.get("i64").toLongArray()).startsWith(Long.MIN_VALUE, Long.MAX_VALUE);
    assertThat(got.get("i64.scalar").shape()).isEmpty();
    assertThat(got.get("i64.scalar").toLongArray()).containsExactly(-42L);
    assertThat(got.get("f32.empty").shape()).containsExactly(0, 5);
    assertThat(got.get("bytes").bytes().get(255)).isEqualTo((byte) 255);
  }

  @Test
  void metadataCrossesWhole() {
    Metadata m = new Metadata(5, 3, "secagg/3/share-keys", 7, 1_700_000_000_000L);
    Message sent = Message.of("share_keys").withMetadata(m);

    assertThat(assemble(frames(sent, 16)).metadata()).isEqualTo(m);
  }

  @Test
  void absentModelVersionAndDeadlineStayAbsent() {
    Metadata got = assemble(frames(sent(Message.of("finish"), 9), 16)).metadata();

    assertThat(got).isEqualTo(new Metadata(9, 0, "", -1, 0));
    assertThat(got.hasDeadline()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(MessageError.Code.class)
  void errorOfEveryCodeCrosses(MessageError.Code code) {
    Message sent = withIds(Message.error(code, "no 'lr' in config (ünïcode kept)"), 4, 2);

    Message got = assemble(frames(sent, 7));

    assertThat(got.type()).isEqualTo(MessageTypes.ERROR);
    assertThat(got.isError()).isTrue();
    assertThat(got.error()).isEqualTo(new MessageError(code, "no 'lr' in config (ünïcode kept)"));
    assertThat(got.metadata().replyTo()).isEqualTo(2);
  }

  @Test
  void errorMessageMayCarryArraysAndMetrics() {
    Message sent = new Message(MessageTypes.ERROR, new Metadata(3, 1, "2", 2, 0), Config.empty(),
        Metrics.of("seconds", 1.5), TestModels.small(), new MessageError(MessageError.Code.REFUSED, "budget spent"));

    Message got = assemble(frames(sent, 5));

    assertThat(got.error()).isEqualTo(sent.error());
    assertThat(got.metrics()).isEqualTo(sent.metrics());
    assertSameArrays(got.arrays(), sent.arrays());
  }

  @Test
  void consecutiveMessagesOnOneStream() {
    MessageAssembler assembler = new MessageAssembler();
    List<Message> got = new ArrayList<>();
    for (long id = 1; id <= 3; id++) {
      Message m = withIds(TestMessages.withArrays("t" + id, TestMessages.everyDtype()), id, id - 1);
      for (var f : frames(m, 11)) {
        assembler.accept(f).ifPresent(got::add);
      }
    }
    assertThat(got).extracting(m -> m.metadata().messageId()).containsExactly(1L, 2L, 3L);
    assertThat(got).extracting(Message::type).containsExactly("t1", "t2", "t3");
    assertSameArrays(got.get(2).arrays(), TestMessages.everyDtype());
  }
}
