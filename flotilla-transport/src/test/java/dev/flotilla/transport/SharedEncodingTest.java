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

/** An encoder with a sharing limit encodes a model once for every message that carries it. */
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
  void messagesWithTheSameTensorsShareTheChunksBytes() {
    MessageEncoder encoder = new MessageEncoder(16, Long.MAX_VALUE);
    // Another ModelWeights over the same tensors (what a per-client filter or copy gives) shares too.
    ModelWeights sameTensors = ModelWeights.of(ARRAYS.tensors());
    List<ByteString> first = chunkData(encoder.encode(sent(TestMessages.withArrays("train", ARRAYS), 1)));
    List<ByteString> second = chunkData(encoder.encode(sent(TestMessages.withArrays("train", sameTensors), 2)));

    assertThat(second).hasSameSizeAs(first);
    for (int i = 0; i < first.size(); i++) {
      assertThat(second.get(i)).isSameAs(first.get(i));
    }
  }

  @Test
  void otherTensorsReplaceTheSharedEncoding() {
    MessageEncoder encoder = new MessageEncoder(16, Long.MAX_VALUE);
    ModelWeights other = ModelWeights.of(List.of(TestMessages.random(DType.FLOAT32, 40, 9)));
    List<ByteString> a = chunkData(encoder.encode(sent(TestMessages.withArrays("train", ARRAYS), 1)));
    Message b = TestMessages.assemble(all(encoder.encode(sent(TestMessages.withArrays("train", other), 2))));
    List<ByteString> c = chunkData(encoder.encode(sent(TestMessages.withArrays("train", ARRAYS), 3)));

    TestMessages.assertSameArrays(b.arrays(), other);
    assertThat(c.get(0)).as("encoded again after other arrays replaced it").isNotSameAs(a.get(0)).isEqualTo(a.get(0));
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
