package dev.flotilla.core.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.Metadata;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.testing.FakeClientApp;
import dev.flotilla.core.testing.TestModels;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientModTest {
  private static final Message TRAIN = MessageTypes.train(new TrainInstructions(TestModels.small(), Config.empty()));

  /** A mod that records its name on the way in and out. */
  private static ClientMod recording(String name, List<String> log) {
    return (message, context, next) -> {
      log.add(name + " in");
      Message reply = next.handle(message, context);
      log.add(name + " out");
      return reply;
    };
  }

  @Test
  void modsSeeTheMessageInListOrderAndTheReplyInReverse() {
    List<String> log = new ArrayList<>();
    ClientApp app = (message, context) -> {
      log.add("app");
      return Message.of("done");
    };

    ClientApp wrapped = ClientMod.wrap(app, List.of(recording("first", log), recording("second", log)));
    wrapped.handle(TRAIN, Context.of("a", Config.empty()));

    assertThat(log).containsExactly("first in", "second in", "app", "second out", "first out");
  }

  @Test
  void modsMayChangeTheMessageAndTheReply() {
    ClientMod addLr = (message, context, next) -> next.handle(message.withConfig(message.config().with("lr", 0.5)),
        context);
    ClientMod tagReply = (message, context, next) -> {
      Message reply = next.handle(message, context);
      return reply.withMetrics(reply.metrics().with("tagged", 1));
    };
    FakeClientApp app = FakeClientApp.adding(1, 10);

    Message reply = ClientMod.wrap(app, List.of(tagReply, addLr)).handle(TRAIN, Context.of("a", Config.empty()));

    assertThat(app.trainCalls().get(0).config().getDouble("lr", 0)).isEqualTo(0.5);
    assertThat(reply.metrics().get("tagged")).hasValue(1.0);
    assertThat(reply.metrics().get("train_loss")).hasValue(1.0);
  }

  @Test
  void noModsLeaveTheAppAlone() {
    FakeClientApp app = FakeClientApp.adding(1, 10);
    Message reply = ClientMod.wrap(app, List.of()).handle(TRAIN, Context.of("a", Config.empty()));
    assertThat(reply.type()).isEqualTo(MessageTypes.TRAIN_RESULT);
    assertThat(app.trainCalls()).hasSize(1);
  }

  @Test
  void aModThatRefusesAnswersAndTheAppIsNotCalled() {
    ClientMod budget = (message, context, next) -> Message.error(MessageError.Code.REFUSED,
        "privacy budget spent");
    FakeClientApp app = FakeClientApp.adding(1, 10);
    ClientRuntime runtime = new ClientRuntime(app, List.of(budget), Context.of("a", Config.empty()));

    Message reply = runtime.handle(TRAIN.withMetadata(new Metadata(5, 0, "2", 1, 0)));

    assertThat(reply.isError()).isTrue();
    assertThat(reply.error()).isEqualTo(new MessageError(MessageError.Code.REFUSED, "privacy budget spent"));
    assertThat(reply.metadata().replyTo()).isEqualTo(5);
    assertThat(app.trainCalls()).isEmpty();
  }

  @Test
  void aModKeepsStateAcrossRoundsInItsContext() {
    ClientMod counter = (message, context, next) -> {
      long seen = context.state().config("counter").map(c -> c.getLong("seen", 0)).orElse(0L) + 1;
      context.state().putConfig("counter", Config.of("seen", seen));
      Message reply = next.handle(message, context);
      return reply.withMetrics(reply.metrics().merge(Metrics.of("seen", seen)));
    };
    FakeClientApp app = FakeClientApp.adding(1, 10);
    Context a = Context.of("a", Config.empty());
    Context b = Context.of("b", Config.empty());

    List<Double> seenByA = new ArrayList<>();
    for (int round = 1; round <= 3; round++) {
      // a new runtime every round, as a simulation may make: only the context carries the state
      seenByA.add(new ClientRuntime(app, List.of(counter), a).handle(TRAIN).metrics().get("seen").orElseThrow());
    }
    double seenByB = new ClientRuntime(app, List.of(counter), b).handle(TRAIN).metrics().get("seen").orElseThrow();

    assertThat(seenByA).containsExactly(1.0, 2.0, 3.0);
    assertThat(seenByB).isEqualTo(1.0);
    assertThat(a.state().keys()).containsExactly("counter");
  }
}
