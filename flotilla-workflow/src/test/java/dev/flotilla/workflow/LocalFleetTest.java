package dev.flotilla.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.client.ClientMod;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientFailureException;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LocalFleetTest {
  private static final ModelWeights MODEL = ModelWeights.of(Tensor.of("w", new int[] {3}, new float[] {1, 2, 3}));

  /** Returns the model it was sent, with 7 examples. */
  private static final ClientApp ECHO = (m, ctx) ->
      MessageTypes.trainResult(new TrainResult(MessageTypes.toTrainInstructions(m).model(), 7, Metrics.empty()));

  private static Message train() {
    return MessageTypes.train(new TrainInstructions(MODEL, Config.empty()));
  }

  @Test
  void listsItsClientsSortedByIdWithTheirNodeConfigAndRefusesATakenId() {
    LocalFleet fleet = new LocalFleet().add("c10", ECHO).add("c2", Config.of("region", "north"), ECHO).add("c1", ECHO);

    assertThat(fleet.clients()).extracting(ClientInfo::id).containsExactly("c1", "c10", "c2");
    assertThat(fleet.client("c2").orElseThrow().info().properties().getString("region", "")).isEqualTo("north");
    assertThat(fleet.client("nobody")).isEmpty();
    assertThatThrownBy(() -> fleet.add("c1", ECHO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'c1' is already in the fleet");
  }

  @Test
  void answersThroughTheClientsModsAndCountsBytesAndTime() {
    AtomicReference<String> seenByMod = new AtomicReference<>();
    ClientMod recording = (message, context, next) -> {
      seenByMod.set(context.clientId() + " " + message.type());
      return next.handle(message, context);
    };
    LocalFleet fleet = new LocalFleet().add("a", ECHO, recording);

    Reply reply = fleet.client("a").orElseThrow().request(train()).join();

    assertThat(MessageTypes.toTrainResult(reply.message()).numExamples()).isEqualTo(7);
    assertThat(seenByMod.get()).isEqualTo("a " + MessageTypes.TRAIN);
    assertThat(fleet.bytesSent()).isEqualTo(12);
    assertThat(fleet.bytesReceived()).isEqualTo(12);
    assertThat(fleet.lastReply("a", MessageTypes.TRAIN_RESULT)).containsSame(reply.message());
    assertThat(fleet.lastReply("a", MessageTypes.EVALUATE_RESULT)).isEmpty();
    assertThat(fleet.answerTime("a")).isPositive();
    assertThat(fleet.answerTime("nobody")).isZero();
  }

  @Test
  void aDroppedRequestFailsAsADisconnectionUnansweredAndAStalledOneNeverCompletes() {
    LocalFleet fleet = new LocalFleet().add("a", ECHO).add("b", ECHO);
    fleet.drop((id, m) -> id.equals("a"));
    fleet.stall((id, m) -> id.equals("b"));

    CompletableFuture<Reply> dropped = fleet.client("a").orElseThrow().request(train());
    CompletableFuture<Reply> stalled = fleet.client("b").orElseThrow().request(train());

    assertThatThrownBy(dropped::join).isInstanceOf(CompletionException.class)
        .cause().isInstanceOf(ClientFailureException.class).hasMessageContaining("'a' dropped the 'train' request")
        .matches(e -> ((ClientFailureException) e).kind() == ClientFailure.Kind.DISCONNECTED);
    assertThat(stalled).isNotDone();
    assertThat(fleet.bytesSent()).isZero();
    assertThat(fleet.lastReply("a", MessageTypes.TRAIN_RESULT)).isEmpty();
  }

  @Test
  void aClientThatLeavesIsGoneFromTheFleetAndItsLaterRequestsFail() {
    LocalFleet fleet = new LocalFleet().add("a", ECHO).add("x", ECHO);
    fleet.leave((id, m) -> id.equals("x"));
    ClientProxy x = fleet.client("x").orElseThrow();

    assertThatThrownBy(() -> x.request(train()).join()).cause().hasMessageContaining("'x' left at the 'train'");

    assertThat(x.isConnected()).isFalse();
    assertThat(fleet.clients()).extracting(ClientInfo::id).containsExactly("a");
    assertThat(fleet.client("x")).isEmpty();
    assertThatThrownBy(() -> x.request(train()).join()).cause().hasMessageContaining("'x' has left the fleet");
    assertThat(fleet.client("a").orElseThrow().request(train()).join().message().type())
        .isEqualTo(MessageTypes.TRAIN_RESULT);
  }

  @Test
  void cancellingARequestWithAnAllowanceCancelsTheRequestAndTellsTheListener() {
    LocalFleet fleet = new LocalFleet().add("quiet", ECHO);
    fleet.stall((id, m) -> true);
    List<String> cancelled = new ArrayList<>();
    fleet.onCancel((id, m) -> cancelled.add(id + " " + m.type()));

    CompletableFuture<Reply> reply = fleet.client("quiet").orElseThrow()
        .request(train(), ReplyAllowance.exactly(MODEL.specs()));
    reply.cancel(true);

    assertThat(cancelled).containsExactly("quiet " + MessageTypes.TRAIN);
  }

  @Test
  void aReplyTheAllowanceDoesNotTakeFailsAsRejected() {
    LocalFleet fleet = new LocalFleet().add("a", ECHO);
    ModelWeights other = ModelWeights.of(Tensor.of("w", new int[] {4}, new float[4]));

    CompletableFuture<Reply> reply = fleet.client("a").orElseThrow()
        .request(train(), ReplyAllowance.exactly(other.specs()));

    assertThatThrownBy(reply::join).cause().isInstanceOf(ClientFailureException.class)
        .matches(e -> ((ClientFailureException) e).kind() == ClientFailure.Kind.REJECTED);
  }

  @Test
  void withAnExecutorTheClientsAnswerOnItsThreads() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "answering"));
    try {
      AtomicReference<String> thread = new AtomicReference<>();
      LocalFleet fleet = new LocalFleet(pool).add("a", (m, ctx) -> {
        thread.set(Thread.currentThread().getName());
        return ECHO.handle(m, ctx);
      });
      assertThat(fleet.awaitClients(1, Duration.ZERO)).isTrue();
      assertThat(fleet.awaitClients(2, Duration.ZERO)).isFalse();

      fleet.client("a").orElseThrow().request(train()).get(10, TimeUnit.SECONDS);

      assertThat(thread.get()).isEqualTo("answering");
    } finally {
      pool.shutdownNow();
    }
  }
}
