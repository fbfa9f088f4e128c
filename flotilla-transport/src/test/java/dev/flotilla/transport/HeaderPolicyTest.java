package dev.flotilla.transport;

import static dev.flotilla.transport.TestMessages.frames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.Metadata;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.transport.proto.Frame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeaderPolicyTest {
  private static final Message MESSAGE = TestMessages.withArrays("train", TestMessages.everyDtype());

  private static MessageHeader header(long arrayBytes) {
    return new MessageHeader("train", new Metadata(7, 0, "", -1, 0), Config.empty(), Metrics.empty(),
        List.of(new TensorSpec("b", DType.BYTES, new int[] {(int) arrayBytes})), null);
  }

  @Test
  void capTakesUpToItAndRefusesAbove() {
    HeaderPolicy cap = HeaderPolicy.maxMessageBytes(100);

    cap.check(header(100));
    assertThatThrownBy(() -> cap.check(header(101))).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("message 7").hasMessageContaining("declares 101 array bytes")
        .hasMessageContaining("more than the 100");
  }

  @Test
  void negativeCapIsRefused() {
    assertThatThrownBy(() -> HeaderPolicy.maxMessageBytes(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got -1");
  }

  @Test
  void andChecksBothInOrder() {
    List<String> calls = new ArrayList<>();
    HeaderPolicy first = h -> calls.add("first");
    HeaderPolicy refuse = h -> {
      calls.add("second");
      throw new ProtocolException("no '" + h.type() + "' here");
    };

    assertThatThrownBy(() -> first.and(refuse).check(header(1))).hasMessage("no 'train' here");
    assertThat(calls).containsExactly("first", "second");
    calls.clear();
    assertThatThrownBy(() -> refuse.and(first).check(header(1))).isInstanceOf(ProtocolException.class);
    assertThat(calls).containsExactly("second");
  }

  @Test
  void assemblerShowsThePolicyTheValidatedHeaderOnce() {
    List<MessageHeader> seen = new ArrayList<>();
    MessageAssembler assembler = new MessageAssembler(seen::add);

    for (Frame f : frames(MESSAGE, 5)) {
      assembler.accept(f);
    }

    assertThat(seen).hasSize(1);
    MessageHeader h = seen.get(0);
    assertThat(h.type()).isEqualTo("train");
    assertThat(h.metadata()).isEqualTo(MESSAGE.metadata());
    assertThat(h.config()).isEqualTo(MESSAGE.config());
    assertThat(h.arrays()).containsExactlyElementsOf(MESSAGE.arrays().specs());
    assertThat(h.arrayBytes()).isEqualTo(MESSAGE.arrays().byteSize());
  }

  @Test
  void refusalByThePolicyStopsTheMessageAtItsStart() {
    MessageAssembler assembler = new MessageAssembler(h -> {
      if (h.type().equals("train")) {
        throw new ProtocolException("this receiver takes no '" + h.type() + "' messages");
      }
    });
    List<Frame> frames = frames(MESSAGE, 64);

    assertThatThrownBy(() -> assembler.accept(frames.get(0))).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("no 'train' messages");
    assertThat(assembler.inProgress()).isFalse();
  }
}
