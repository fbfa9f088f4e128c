package dev.flotilla.core.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.Metadata;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.testing.FakeClientApp;
import dev.flotilla.core.testing.TestModels;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ClientRuntimeTest {
  private static final long NOW = 1_000_000;
  private static final Message TRAIN = MessageTypes.train(new TrainInstructions(TestModels.small(), Config.empty()));

  private static ClientRuntime runtime(ClientApp app, List<ClientMod> mods) {
    return new ClientRuntime(app, mods, Context.of("a", Config.empty()), () -> NOW);
  }

  @Test
  void aThrowingAppBecomesAnAppError() {
    Message reply = runtime(FakeClientApp.throwing("disk full"), List.of()).handle(TRAIN);

    assertThat(reply.error().code()).isEqualTo(MessageError.Code.APP_ERROR);
    assertThat(reply.error().reason()).isEqualTo("IllegalStateException: disk full");
  }

  @Test
  void aThrowingModBecomesAnAppError() {
    ClientMod broken = (message, context, next) -> {
      throw new IllegalArgumentException("bad mod");
    };
    Message reply = runtime(FakeClientApp.adding(1, 10), List.of(broken)).handle(TRAIN);

    assertThat(reply.error().code()).isEqualTo(MessageError.Code.APP_ERROR);
    assertThat(reply.error().reason()).contains("bad mod");
  }

  @Test
  void anAppThatStopsOnCancellationIsAnsweredCancelled() {
    ClientApp app = (message, context) -> {
      throw new java.util.concurrent.CancellationException("stopped after 3 batches");
    };
    Message reply = runtime(app, List.of()).handle(TRAIN.withMetadata(Metadata.of("1", 0, 0).withIds(7, 0)));

    assertThat(reply.error().code()).isEqualTo(MessageError.Code.CANCELLED);
    assertThat(reply.error().reason()).contains("'train'").contains("stopped after 3 batches");
    assertThat(reply.metadata().replyTo()).isEqualTo(7);
  }

  @Test
  void noReplyBecomesAnAppError() {
    Message reply = runtime((message, context) -> null, List.of()).handle(TRAIN);

    assertThat(reply.error().code()).isEqualTo(MessageError.Code.APP_ERROR);
    assertThat(reply.error().reason()).contains("no reply").contains("'train'");
  }

  @Test
  void anExpiredRequestIsNotRun() {
    AtomicInteger calls = new AtomicInteger();
    ClientApp app = (message, context) -> {
      calls.incrementAndGet();
      return Message.of("done");
    };

    Message late = runtime(app, List.of()).handle(TRAIN.withMetadata(Metadata.of("1", 0, NOW - 1)));
    Message inTime = runtime(app, List.of()).handle(TRAIN.withMetadata(Metadata.of("1", 0, NOW)));

    assertThat(late.error().code()).isEqualTo(MessageError.Code.DEADLINE_EXCEEDED);
    assertThat(late.error().reason()).contains("'train'");
    assertThat(inTime.isError()).isFalse();
    assertThat(calls).hasValue(1);
  }

  @Test
  void theReplyAnswersTheRequestInItsGroupAndModelVersion() {
    Message request = TRAIN.withMetadata(new Metadata(17, 0, "3", 2, NOW + 500));

    Message reply = runtime(FakeClientApp.adding(1, 10), List.of()).handle(request);
    Message error = runtime(FakeClientApp.throwing("x"), List.of()).handle(request);

    for (Message m : List.of(reply, error)) {
      assertThat(m.metadata().replyTo()).isEqualTo(17);
      assertThat(m.metadata().messageId()).isZero();
      assertThat(m.metadata().group()).isEqualTo("3");
      assertThat(m.metadata().modelVersion()).isEqualTo(2);
    }
    assertThat(reply.type()).isEqualTo(MessageTypes.TRAIN_RESULT);
  }

  @Test
  void anUnknownTypeIsUnsupported() {
    Message reply = runtime(FakeClientApp.adding(1, 10), List.of()).handle(Message.of("share_keys"));

    assertThat(reply.error().code()).isEqualTo(MessageError.Code.UNSUPPORTED_TYPE);
    assertThat(reply.error().reason()).contains("'share_keys'");
  }
}
