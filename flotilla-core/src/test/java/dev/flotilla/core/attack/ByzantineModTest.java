package dev.flotilla.core.attack;

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

class ByzantineModTest {
  private static final ModelWeights GLOBAL = ModelWeights.of(Tensor.of("w", new int[] {2}, new float[] {1, 2}));

  private static Message train(int round) {
    return MessageTypes.train(new TrainInstructions(GLOBAL, Config.of("round", round)));
  }

  private static ClientRuntime client(FakeClientApp app, Attack attack, String id) {
    return new ClientRuntime(app, List.of(new ByzantineMod(attack, 99)), Context.of(id, Config.empty()));
  }

  @Test
  void poisonsTheTrainedWeightsAgainstTheReceivedModel() {
    // honest training adds 0.5: update +0.5; scaled by 4: 1 + 2, 2 + 2
    Message reply = client(FakeClientApp.adding(0.5f, 10), new ScaledUpdate(4), "c0").handle(train(1));

    assertThat(reply.arrays().get("w").toArray()).containsExactly(3f, 4f);
    assertThat(MessageTypes.toTrainResult(reply).numExamples()).isEqualTo(10);
    assertThat(reply.metrics().get("train_loss")).hasValue(0.5);
  }

  @Test
  void labelFlipReachesTheAppsTrainingConfig() {
    FakeClientApp app = FakeClientApp.adding(0.5f, 10);
    Message reply = client(app, new LabelFlip(), "c0").handle(train(1));

    assertThat(app.trainCalls().get(0).config().getBoolean(LabelFlip.CONFIG_KEY, false)).isTrue();
    assertThat(app.trainCalls().get(0).config().getInt("round", 0)).isEqualTo(1);
    assertThat(reply.arrays().get("w").toArray()).containsExactly(1.5f, 2.5f);
  }

  @Test
  void evaluationAndErrorsPassUntouched() {
    FakeClientApp app = FakeClientApp.adding(0.5f, 10);
    Message evaluation = client(app, new LabelFlip(), "c0").handle(
        MessageTypes.evaluate(new EvaluateInstructions(GLOBAL, Config.empty())));
    assertThat(app.evaluateCalls().get(0).config().has(LabelFlip.CONFIG_KEY)).isFalse();
    assertThat(evaluation.type()).isEqualTo(MessageTypes.EVALUATE_RESULT);

    Message failed = client(FakeClientApp.throwing("no data"), new SignFlip(), "c0").handle(train(1));
    assertThat(failed.error().code()).isEqualTo(MessageError.Code.APP_ERROR);
  }

  @Test
  void noiseIsReproducibleAndDiffersBetweenClientsAndRounds() {
    FakeClientApp app = FakeClientApp.adding(0, 10);
    Attack noise = new GaussianNoise(1);
    ModelWeights first = client(app, noise, "c0").handle(train(1)).arrays();

    assertThat(client(app, noise, "c0").handle(train(1)).arrays().contentEquals(first)).isTrue();
    assertThat(client(app, noise, "c1").handle(train(1)).arrays().contentEquals(first)).isFalse();
    assertThat(client(app, noise, "c0").handle(train(2)).arrays().contentEquals(first)).isFalse();
    assertThat(ByzantineMod.seedFor(1, "c0", 1)).isNotEqualTo(ByzantineMod.seedFor(2, "c0", 1));
  }

  @Test
  void theParsedAttackMakesTheMod() {
    ByzantineMod mod = ByzantineAttack.parse("2:signflip").mod(5);
    Message reply = new ClientRuntime(FakeClientApp.adding(0.5f, 10), List.of(mod), Context.of("c0",
        Config.empty())).handle(train(1));

    assertThat(mod.attack()).isEqualTo(new SignFlip());
    assertThat(reply.arrays().get("w").toArray()).containsExactly(0.5f, 1.5f);
  }
}
