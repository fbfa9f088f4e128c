package dev.flotilla.core.personal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.client.ClientRuntime;
import dev.flotilla.core.client.Context;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.testing.FakeClientApp;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalLayersModTest {
  private static final Config PERSONAL = Config.of(LocalLayers.CONFIG_KEY, "head");

  /** A model of a shared {@code body[2]} and a local {@code head[1]}. */
  private static ModelWeights model(float body, float head) {
    return ModelWeights.of(Tensor.of("body", new int[] {2}, new float[] {body, body}),
        Tensor.of("head", new int[] {1}, new float[] {head}));
  }

  private static Message train(ModelWeights global) {
    return MessageTypes.train(new TrainInstructions(global, PERSONAL));
  }

  private static Message evaluate(ModelWeights global) {
    return MessageTypes.evaluate(new EvaluateInstructions(global, PERSONAL));
  }

  private static float head(ModelWeights weights) {
    return weights.get("head").get(0);
  }

  @Test
  void firstRoundKeepsTheReceivedLayersAndLaterRoundsUseTheStoredOnes() {
    FakeClientApp app = FakeClientApp.adding(1, 10);
    ClientRuntime client = new ClientRuntime(app, List.of(new LocalLayersMod()), Context.of("a", Config.empty()));

    Message first = client.handle(train(model(0, 5)));
    Message second = client.handle(train(model(10, 5)));

    assertThat(head(app.trainCalls().get(0).model())).isEqualTo(5f); // nothing stored yet: the received value
    assertThat(head(app.trainCalls().get(1).model())).isEqualTo(6f); // its own head, trained in round 1
    assertThat(app.trainCalls().get(1).model().get("body").toArray()).containsExactly(10f, 10f); // global body
    assertThat(head(client.context().state().arrays(LocalLayersMod.STATE_KEY).orElseThrow())).isEqualTo(7f);
    assertThat(first.type()).isEqualTo(MessageTypes.TRAIN_RESULT);
    assertThat(second.arrays().get("body").toArray()).containsExactly(11f, 11f);
  }

  @Test
  void theReplyNeverCarriesTheLocalLayers() {
    ClientRuntime client = new ClientRuntime(FakeClientApp.adding(1, 10), List.of(new LocalLayersMod()),
        Context.of("a", Config.empty()));

    Message reply = client.handle(train(model(0, 5)));

    assertThat(reply.arrays().names()).containsExactly("body");
    assertThat(MessageTypes.toTrainResult(reply).numExamples()).isEqualTo(10);
  }

  @Test
  void evaluationUsesTheClientsOwnLayersAndStoresNothing() {
    FakeClientApp app = FakeClientApp.adding(1, 10);
    ClientRuntime client = new ClientRuntime(app, List.of(new LocalLayersMod()), Context.of("a", Config.empty()));

    client.handle(evaluate(model(0, 5)));
    assertThat(client.context().state().isEmpty()).isTrue();
    client.handle(train(model(0, 5)));
    client.handle(evaluate(model(3, 5)));

    assertThat(head(app.evaluateCalls().get(0).model())).isEqualTo(5f);
    assertThat(head(app.evaluateCalls().get(1).model())).isEqualTo(6f);
    assertThat(app.evaluateCalls().get(1).model().get("body").toArray()).containsExactly(3f, 3f);
    assertThat(head(client.context().state().arrays(LocalLayersMod.STATE_KEY).orElseThrow())).isEqualTo(6f);
  }

  @Test
  void stateLivesInTheContextSoClientsDoNotShareIt() {
    FakeClientApp app = FakeClientApp.adding(1, 10);
    LocalLayersMod mod = new LocalLayersMod();
    Context a = Context.of("a", Config.empty());
    Context b = Context.of("b", Config.empty());

    // a fresh runtime per message, as a simulation may make, sharing only the context
    new ClientRuntime(app, List.of(mod), a).handle(train(model(0, 5)));
    new ClientRuntime(app, List.of(mod), a).handle(train(model(0, 5)));
    new ClientRuntime(app, List.of(mod), b).handle(train(model(0, 5)));

    assertThat(head(app.trainCalls().get(1).model())).isEqualTo(6f);
    assertThat(head(app.trainCalls().get(2).model())).isEqualTo(5f); // b has not trained before
    assertThat(head(a.state().arrays(LocalLayersMod.STATE_KEY).orElseThrow())).isEqualTo(7f);
    assertThat(head(b.state().arrays(LocalLayersMod.STATE_KEY).orElseThrow())).isEqualTo(6f);
  }

  @Test
  void withoutTheConfigKeyEverythingPassesUntouched() {
    FakeClientApp app = FakeClientApp.adding(1, 10);
    ClientRuntime client = new ClientRuntime(app, List.of(new LocalLayersMod()), Context.of("a", Config.empty()));

    Message reply = client.handle(MessageTypes.train(new TrainInstructions(model(0, 5), Config.empty())));

    assertThat(reply.arrays().names()).containsExactly("body", "head");
    assertThat(client.context().state().isEmpty()).isTrue();
  }

  @Test
  void anInvalidRegexIsABadRequestAndTheAppIsNotCalled() {
    FakeClientApp app = FakeClientApp.adding(1, 10);
    ClientRuntime client = new ClientRuntime(app, List.of(new LocalLayersMod()), Context.of("a", Config.empty()));

    Message reply = client.handle(MessageTypes.train(new TrainInstructions(model(0, 5),
        Config.of(LocalLayers.CONFIG_KEY, "head["))));

    assertThat(reply.error().code()).isEqualTo(MessageError.Code.BAD_REQUEST);
    assertThat(reply.error().reason()).contains("'head['");
    assertThat(app.trainCalls()).isEmpty();
  }

  @Test
  void aStoredLayerOfAnotherShapeIsABadRequest() {
    FakeClientApp app = FakeClientApp.adding(1, 10);
    Context context = Context.of("a", Config.empty());
    context.state().putArrays(LocalLayersMod.STATE_KEY,
        ModelWeights.of(Tensor.of("head", new int[] {2}, new float[] {1, 1})));

    Message reply = new ClientRuntime(app, List.of(new LocalLayersMod()), context).handle(train(model(0, 5)));

    assertThat(reply.error().code()).isEqualTo(MessageError.Code.BAD_REQUEST);
    assertThat(reply.error().reason()).contains("head[2]").contains("head[1]");
    assertThat(app.trainCalls()).isEmpty();
  }

  @Test
  void aFailedTrainingStoresNothing() {
    Context context = Context.of("a", Config.empty());
    Message reply = new ClientRuntime(FakeClientApp.throwing("out of memory"), List.of(new LocalLayersMod()),
        context).handle(train(model(0, 5)));

    assertThat(reply.error().code()).isEqualTo(MessageError.Code.APP_ERROR);
    assertThat(context.state().isEmpty()).isTrue();
  }
}
