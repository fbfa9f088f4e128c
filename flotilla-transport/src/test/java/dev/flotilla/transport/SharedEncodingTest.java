package dev.flotilla.transport;

import static dev.flotilla.transport.TestMessages.sent;
import static org.assertj.core.api.Assertions.assertThat;

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

/** An encoder with a sharing limit computes a model's CRCs once for the messages that carry it at the same time. */
class SharedEncodingTest {
  private static final ModelWeights ARRAYS = TestMessages.everyDtype();

  @Test
  void framesAreTheStreamingEncodersFramesByteForByteDrawnOrNot() {
    MessageEncoder sharing = new MessageEncoder(7, Long.MAX_VALUE);
    MessageEncoder streaming = new MessageEncoder(7);
    for (long id = 1; id <= 3; id++) { // the first message computes the CRCs, the others reuse them
      Message m = sent(TestMessages.withArrays("train", ARRAYS).withConfig(Config.of("round", id)), id);
      List<Frame> streamed = all(streaming.encode(m));
      for (List<Frame> shared : List.of(all(sharing.encode(m)), TestMessages.drawnFrames(sharing, m))) {
        assertThat(shared).hasSameSizeAs(streamed);
        for (int i = 0; i < shared.size(); i++) {
          assertThat(shared.get(i).toByteArray()).as("frame %d of message %d", i, id)
              .containsExactly(streamed.get(i).toByteArray());
        }
        TestMessages.assertSameArrays(TestMessages.assemble(shared).arrays(), ARRAYS);
      }
    }
    assertThat(sharing.sharedCrcPasses()).as("each message sent after the last was done computes them").isEqualTo(6);
  }

  @Test
  void messagesSentAtTheSameTimeWithTheSameTensorsComputeTheCrcsOnce() {
    MessageEncoder encoder = new MessageEncoder(16, Long.MAX_VALUE);
    MessageEncoder.MessageFrames first = encoder.encodeDrawn(sent(TestMessages.withArrays("train", ARRAYS), 1));
    first.next(); // being sent
    // Another ModelWeights over the same tensors (what a per-client filter or copy gives) shares too.
    ModelWeights sameTensors = ModelWeights.of(ARRAYS.tensors());
    Message second = TestMessages.assemble(TestMessages.drawnFrames(encoder,
        sent(TestMessages.withArrays("train", sameTensors), 2)));

    assertThat(encoder.sharedCrcPasses()).isEqualTo(1);
    TestMessages.assertSameArrays(second.arrays(), ARRAYS);
    first.close();
  }

  @Test
  void theCrcsAreDroppedOnceTheLastMessageSharingThemIsSent() {
    MessageEncoder encoder = new MessageEncoder(16, Long.MAX_VALUE);
    MessageEncoder.MessageFrames a = encoder.encode(sent(TestMessages.withArrays("train", ARRAYS), 1));
    MessageEncoder.MessageFrames b = encoder.encode(sent(TestMessages.withArrays("train", ARRAYS), 2));
    all(a);
    assertThat(encoder.sharing()).as("b is still being sent").isTrue();
    all(b);
    assertThat(encoder.sharing()).as("both sent").isFalse();

    all(encoder.encode(sent(TestMessages.withArrays("train", ARRAYS), 3)));
    assertThat(encoder.sharedCrcPasses()).as("computed anew").isEqualTo(2);
  }

  @Test
  void closingAMessageCutShortLetsGoOfTheCrcs() {
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
  void otherTensorsReplaceTheSharedCrcs() {
    MessageEncoder encoder = new MessageEncoder(16, Long.MAX_VALUE);
    ModelWeights other = ModelWeights.of(List.of(TestMessages.random(DType.FLOAT32, 40, 9)));
    MessageEncoder.MessageFrames a = encoder.encode(sent(TestMessages.withArrays("train", ARRAYS), 1));
    a.next(); // still being sent
    Message b = TestMessages.assemble(all(encoder.encode(sent(TestMessages.withArrays("train", other), 2))));
    Message c = TestMessages.assemble(all(encoder.encode(sent(TestMessages.withArrays("train", ARRAYS), 3))));
    all(a);

    TestMessages.assertSameArrays(b.arrays(), other);
    TestMessages.assertSameArrays(c.arrays(), ARRAYS);
    assertThat(encoder.sharedCrcPasses()).as("computed again after other arrays replaced them").isEqualTo(3);
    assertThat(encoder.sharing()).isFalse();
  }

  @Test
  void arraysAboveTheLimitHaveTheirCrcsComputedPerMessage() {
    MessageEncoder encoder = new MessageEncoder(16, ARRAYS.byteSize() - 1);
    MessageEncoder.MessageFrames a = encoder.encode(sent(TestMessages.withArrays("train", ARRAYS), 1));
    a.next();
    Message b = TestMessages.assemble(all(encoder.encode(sent(TestMessages.withArrays("train", ARRAYS), 2))));

    TestMessages.assertSameArrays(b.arrays(), ARRAYS);
    assertThat(encoder.sharedCrcPasses()).isZero();
    assertThat(encoder.sharing()).isFalse();
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
        got.add(pool.submit((Callable<Message>) () -> TestMessages.assemble(TestMessages.drawnFrames(encoder, m))));
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
}
