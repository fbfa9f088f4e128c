package dev.flotilla.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.testing.FakeClientApp;
import dev.flotilla.core.testing.TestModels;
import org.junit.jupiter.api.Test;

class AppDispatcherTest {
  private static final Message TRAIN = MessageTypes.train(new TrainInstructions(TestModels.small(), Config.empty()));

  @Test
  void trainAndEvaluateReachTheApp() {
    AppDispatcher d = new AppDispatcher(FakeClientApp.adding(2, 7));

    Message trained = d.handle(TRAIN);
    Message evaluated = d.handle(MessageTypes.evaluate(new EvaluateInstructions(TestModels.small(), Config.empty())));

    assertThat(MessageTypes.toTrainResult(trained).numExamples()).isEqualTo(7);
    assertThat(MessageTypes.toTrainResult(trained).weights().contentEquals(TestModels.plus(TestModels.small(), 2)))
        .isTrue();
    assertThat(MessageTypes.toEvaluateResult(evaluated).loss()).isEqualTo(2.0);
  }

  @Test
  void appFailureBecomesAnErrorReply() {
    Message reply = new AppDispatcher(FakeClientApp.throwing("no data")).handle(TRAIN);

    assertThat(reply.type()).isEqualTo(MessageTypes.ERROR);
    assertThat(MessageTypes.errorReason(reply)).isEqualTo("IllegalStateException: no data");
  }

  @Test
  void nullResultAndUnknownTypesBecomeErrorReplies() {
    AppDispatcher d = new AppDispatcher(FakeClientApp.training(ins -> null));

    assertThat(MessageTypes.errorReason(d.handle(TRAIN))).contains("returned null");
    assertThat(MessageTypes.errorReason(d.handle(Message.of("mask_keys")))).contains("'mask_keys'");
  }
}
