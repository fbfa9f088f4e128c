package dev.flotilla.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientFailureException;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReplyAllowanceTest {
  private static final TensorSpec W = new TensorSpec("w", new int[] {2, 3});
  private static final TensorSpec B = new TensorSpec("b", new int[] {3});

  @Test
  void exactSpecsTakeOnlyThoseArraysInOrder() {
    ReplyAllowance exact = ReplyAllowance.exactly(List.of(W, B));

    assertThat(exact.maxBytes()).isEqualTo(36);
    assertThat(exact.problem("train_result", List.of(W, B))).isEmpty();
    assertThat(exact.problem("train_result", List.of(B, W))).hasValueSatisfying(p -> assertThat(p)
        .contains("array 0").contains("b[3]"));
    assertThat(exact.problem("train_result", List.of(W))).hasValueSatisfying(p -> assertThat(p)
        .contains("1 arrays").contains("exactly 2"));
    assertThat(exact.problem("train_result", List.of(W.withDtype(DType.FLOAT16), B))).isPresent();
  }

  @Test
  void aByteCapTakesAnyArraysUpToIt() {
    ReplyAllowance cap = ReplyAllowance.upTo(24);

    assertThat(cap.problem("x", List.of(W))).isEmpty();
    assertThat(cap.problem("x", List.of(W, B))).hasValueSatisfying(p -> assertThat(p).contains("36 array bytes")
        .contains("24"));
    assertThat(ReplyAllowance.noArrays().problem("evaluate_result", List.of())).isEmpty();
    assertThat(ReplyAllowance.any().problem("x", List.of(W, B))).isEmpty();
  }

  @Test
  void errorRepliesCarryNoArrays() {
    assertThat(ReplyAllowance.exactly(List.of(W)).problem("error", List.of())).isEmpty();
    assertThat(ReplyAllowance.any().problem("error", List.of(B))).isPresent();
  }

  @Test
  void badValuesAreNamed() {
    assertThatThrownBy(() -> ReplyAllowance.upTo(-1)).hasMessageContaining("got -1");
    assertThatThrownBy(() -> new ReplyAllowance(List.of(W), 5)).hasMessageContaining("24");
  }

  @Test
  void anInProcessProxyChecksTheReplyOnceItArrives() throws Exception {
    AtomicInteger released = new AtomicInteger();
    Message wrong = new Message("train_result", Config.empty(), Metrics.empty(),
        ModelWeights.of(List.of(Tensor.zeros(B))));
    ClientProxy proxy = new ClientProxy() {
      @Override
      public ClientInfo info() {
        return new ClientInfo("a", Config.empty());
      }

      @Override
      public boolean isConnected() {
        return true;
      }

      @Override
      public CompletableFuture<Reply> request(Message request) {
        return CompletableFuture.completedFuture(new Reply(wrong, released::incrementAndGet));
      }

      @Override
      public CompletableFuture<Void> send(Message message) {
        return CompletableFuture.completedFuture(null);
      }
    };

    CompletableFuture<Reply> refused = proxy.request(Message.of("train"), ReplyAllowance.exactly(List.of(W)));
    CompletableFuture<Reply> taken = proxy.request(Message.of("train"), ReplyAllowance.upTo(12));

    assertThatThrownBy(refused::get).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(ClientFailureException.class)
        .extracting(e -> ((ClientFailureException) e).kind()).isEqualTo(ClientFailure.Kind.REJECTED);
    assertThat(released).hasValue(1);
    assertThat(taken.get().message()).isSameAs(wrong);
    assertThat(Message.error(MessageError.Code.CANCELLED, "x").arrays().count()).isZero();
  }
}
