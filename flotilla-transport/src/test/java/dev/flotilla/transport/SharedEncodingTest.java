package dev.flotilla.transport;

import static dev.flotilla.transport.TestMessages.sent;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.transport.proto.Frame;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** An encoder with a sharing limit encodes a model once for the messages that carry it at the same time. */
class SharedEncodingTest {
  private static final ModelWeights ARRAYS = TestMessages.everyDtype();

  @Test
  void framesAreTheStreamingEncodersFramesByteForByte() {
    MessageEncoder sharing = new MessageEncoder(7, Long.MAX_VALUE);
    MessageEncoder streaming = new MessageEncoder(7);
    for (long id = 1; id <= 3; id++) { // the first message computes the encoding, the others reuse it
      Message m = sent(TestMessages.withArrays("train", ARRAYS).withConfig(Config.of("round", id)), id);
      List<Frame> shared = all(sharing.encode(m));
      List<Frame> streamed = all(streaming.encode(m));
      assertThat(shared).hasSameSizeAs(streamed);
      for (int i = 0; i < shared.size(); i++) {
        assertThat(shared.get(i).toByteArray()).as("frame %d of message %d", i, id)
            .containsExactly(streamed.get(i).toByteArray());
      }
      TestMessages.assertSameArrays(TestMessages.assemble(shared).arrays(), ARRAYS);
    }
  }

  @Test
  void messagesSentAtTheSameTimeWithTheSameTensorsShareTheChunksBytes() {
    MessageEncoder encoder = new MessageEncoder(16, Long.MAX_VALUE);
    MessageEncoder.MessageFrames first = encoder.encode(sent(TestMessages.withArrays("train", ARRAYS), 1));
    first.next(); // being sent
    // Another ModelWeights over the same tensors (what a per-client filter or copy gives) shares too.
    ModelWeights sameTensors = ModelWeights.of(ARRAYS.tensors());
    List<ByteString> second = chunkData(encoder.encode(sent(TestMessages.withArrays("train", sameTensors), 2)));
    List<ByteString> firstChunks = chunkData(first);

    assertThat(second).hasSameSizeAs(firstChunks);
    for (int i = 0; i < firstChunks.size(); i++) {
      assertThat(second.get(i)).isSameAs(firstChunks.get(i));
    }
  }

  @Test
  void theEncodingIsDroppedOnceTheLastMessageSharingItIsSent() {
    MessageEncoder encoder = new MessageEncoder(16, Long.MAX_VALUE);
    MessageEncoder.MessageFrames a = encoder.encode(sent(TestMessages.withArrays("train", ARRAYS), 1));
    MessageEncoder.MessageFrames b = encoder.encode(sent(TestMessages.withArrays("train", ARRAYS), 2));
    List<ByteString> aChunks = chunkData(a);
    assertThat(encoder.sharing()).as("b is still being sent").isTrue();
    chunkData(b);
    assertThat(encoder.sharing()).as("both sent").isFalse();

    List<ByteString> c = chunkData(encoder.encode(sent(TestMessages.withArrays("train", ARRAYS), 3)));
    assertThat(c.get(0)).as("encoded anew").isNotSameAs(aChunks.get(0)).isEqualTo(aChunks.get(0));
  }

  @Test
  void closingAMessageCutShortLetsGoOfTheEncoding() {
    MessageEncoder encoder = new MessageEncoder(16, Long.MAX_VALUE);
    MessageEncoder.MessageFrames a = encoder.encode(sent(TestMessages.withArrays("train", ARRAYS), 1));
    a.next();
    a.next();

    a.close();
    a.close(); // twice is harmless

    assertThat(a.hasNext()).isFalse();
    assertThat(encoder.sharing()).isFalse();
  }

  @Test
  void otherTensorsReplaceTheSharedEncoding() {
    MessageEncoder encoder = new MessageEncoder(16, Long.MAX_VALUE);
    ModelWeights other = ModelWeights.of(List.of(TestMessages.random(DType.FLOAT32, 40, 9)));
    MessageEncoder.MessageFrames a = encoder.encode(sent(TestMessages.withArrays("train", ARRAYS), 1));
    a.next(); // still being sent
    Message b = TestMessages.assemble(all(encoder.encode(sent(TestMessages.withArrays("train", other), 2))));
    List<ByteString> c = chunkData(encoder.encode(sent(TestMessages.withArrays("train", ARRAYS), 3)));
    List<ByteString> aChunks = chunkData(a);

    TestMessages.assertSameArrays(b.arrays(), other);
    assertThat(c.get(0)).as("encoded again after other arrays replaced it").isNotSameAs(aChunks.get(0))
        .isEqualTo(aChunks.get(0));
    assertThat(encoder.sharing()).isFalse();
  }

  @Test
  void arraysAboveTheLimitAreStreamedNotKept() {
    MessageEncoder encoder = new MessageEncoder(16, ARRAYS.byteSize() - 1);
    List<ByteString> a = chunkData(encoder.encode(sent(TestMessages.withArrays("train", ARRAYS), 1)));
    List<ByteString> b = chunkData(encoder.encode(sent(TestMessages.withArrays("train", ARRAYS), 2)));

    assertThat(b.get(0)).isNotSameAs(a.get(0)).isEqualTo(a.get(0));
  }

  @Test
  void threadsEncodingTheSameModelAtOnceAllGetWholeMessages() throws Exception {
    MessageEncoder encoder = new MessageEncoder(5, Long.MAX_VALUE);
    ModelWeights big = ModelWeights.of(List.of(TestMessages.random(DType.FLOAT32, 20_000, 1),
        TestMessages.random(DType.INT8, 333, 2)));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Message>> got = new ArrayList<>();
      for (long id = 1; id <= 16; id++) {
        Message m = sent(TestMessages.withArrays("train", big), id);
        got.add(pool.submit((Callable<Message>) () -> TestMessages.assemble(all(encoder.encode(m)))));
      }
      for (int i = 0; i < got.size(); i++) {
        Message m = got.get(i).get();
        assertThat(m.metadata().messageId()).isEqualTo(i + 1);
        TestMessages.assertSameArrays(m.arrays(), big);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<Frame> all(Iterator<Frame> frames) {
    List<Frame> out = new ArrayList<>();
    frames.forEachRemaining(out::add);
    return out;
  }

  private static List<ByteString> chunkData(Iterator<Frame> frames) {
    return all(frames).stream().filter(Frame::hasChunk).map(f -> f.getChunk().getData()).toList();
  }
}
