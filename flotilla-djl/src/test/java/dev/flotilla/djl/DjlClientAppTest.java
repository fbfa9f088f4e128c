package dev.flotilla.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.client.Context;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.djl.data.FashionMnist;
import dev.flotilla.djl.data.LabelledImages;
import dev.flotilla.djl.model.Models;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Trains on real Fashion-MNIST; fails with an installation hint if the data set is missing. */
class DjlClientAppTest {
  static final Context CONTEXT = Context.of("client-1", Config.empty());
  static LabelledImages train;
  static LabelledImages test;

  @BeforeAll
  static void loadData() {
    train = FashionMnist.train().first(2000);
    test = FashionMnist.test().first(1000);
  }

  @Test
  void oneEpochOfTheCnnLearnsFashionMnist() {
    ModelWeights initial = Models.initialWeights("cnn", 1);
    try (DjlClientApp app = new DjlClientApp("cnn", train, test, 3)) {
      EvaluateResult before = app.evaluate(new EvaluateInstructions(initial, Config.empty()), CONTEXT);
      TrainResult result = app.train(new TrainInstructions(initial,
          Config.of("lr", 0.02, "momentum", 0.9, "batch_size", 10, "local_epochs", 1, "round", 1)), CONTEXT);
      EvaluateResult after = app.evaluate(new EvaluateInstructions(result.weights(), Config.empty()), CONTEXT);

      assertThat(result.numExamples()).isEqualTo(2000);
      assertThat(result.weights().specs()).isEqualTo(initial.specs());
      assertThat(result.metrics().get("train_loss")).isPresent();
      assertThat(result.metrics().get("train_accuracy").orElseThrow()).isBetween(0.2, 1.0);
      assertThat(before.numExamples()).isEqualTo(1000);
      assertThat(before.accuracy()).isLessThan(0.25);
      assertThat(before.loss()).isGreaterThan(2.2);
      assertThat(after.accuracy()).isGreaterThan(0.6);
      assertThat(after.loss()).isLessThan(before.loss() - 1.0);
    }
  }

  @Test
  void theBatchNormCnnLearnsAndEvaluatesWithItsRunningStatistics() {
    LabelledImages small = train.first(300);
    ModelWeights initial = Models.initialWeights("cnn-bn", 1);
    TrainInstructions instructions = new TrainInstructions(initial,
        Config.of("lr", 0.05, "momentum", 0.9, "batch_size", 20, "local_epochs", 5, "round", 1));
    try (DjlClientApp app = new DjlClientApp("cnn-bn", small, 3)) {
      EvaluateResult before = app.evaluate(new EvaluateInstructions(initial, Config.empty()), CONTEXT);
      TrainResult result = app.train(instructions, CONTEXT);
      ModelWeights trained = result.weights();
      EvaluateResult after = app.evaluate(new EvaluateInstructions(trained, Config.empty()), CONTEXT);

      assertThat(trained.specs()).isEqualTo(initial.specs());
      assertThat(after.loss()).isLessThan(before.loss() - 1.0);
      assertThat(after.accuracy()).isGreaterThan(0.6);
      assertThat(trained.get("bn1.running_mean").toArray()).isNotEqualTo(initial.get("bn1.running_mean").toArray());
      assertThat(trained.get("bn2.running_var").toArray()).isNotEqualTo(initial.get("bn2.running_var").toArray());
      for (float v : trained.get("bn2.running_var").toArray()) {
        assertThat(v).isPositive();
      }
      assertThat(app.train(instructions, CONTEXT).weights().contentEquals(trained)).isTrue();

      ModelWeights freshStatistics = trained.replacing(initial.filter(n -> n.contains(".running_")));
      EvaluateResult withFreshStatistics =
          app.evaluate(new EvaluateInstructions(freshStatistics, Config.empty()), CONTEXT);
      assertThat(withFreshStatistics.loss()).as("evaluation reads the running statistics").isNotEqualTo(after.loss());
    }
  }

  @Test
  void sameInstructionsAndSeedGiveIdenticalWeights() {
    LabelledImages small = train.first(500);
    TrainInstructions instructions = new TrainInstructions(Models.initialWeights("cnn", 2), Config.of("round", 4));
    try (DjlClientApp a = new DjlClientApp("cnn", small, 11); DjlClientApp b = new DjlClientApp("cnn", small, 11)) {
      TrainResult first = a.train(instructions, CONTEXT);
      TrainResult again = a.train(instructions, CONTEXT);
      TrainResult other = b.train(instructions, CONTEXT);
      assertThat(again.weights().contentEquals(first.weights())).isTrue();
      assertThat(other.weights().contentEquals(first.weights())).isTrue();
      assertThat(again.metrics().get("train_loss")).isEqualTo(first.metrics().get("train_loss"));

      TrainResult nextRound = a.train(new TrainInstructions(instructions.model(), Config.of("round", 5)), CONTEXT);
      assertThat(nextRound.weights().contentEquals(first.weights())).as("another round reshuffles").isFalse();
    }
  }

  @Test
  void clientsTrainConcurrentlyOnSeparateThreadsWithTheSameResults() throws Exception {
    LabelledImages small = train.first(300);
    TrainInstructions instructions = new TrainInstructions(Models.initialWeights("mlp", 2),
        Config.of("lr", 0.05, "momentum", 0.5, "local_epochs", 2));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (DjlClientApp a = new DjlClientApp("mlp", small, 1); DjlClientApp b = new DjlClientApp("mlp", small, 2)) {
      ModelWeights alone = a.train(instructions, CONTEXT).weights();
      Future<TrainResult> fa = pool.submit(() -> a.train(instructions, CONTEXT));
      Future<TrainResult> fb = pool.submit(() -> b.train(instructions, CONTEXT));
      assertThat(fa.get().weights().contentEquals(alone)).isTrue();
      assertThat(fb.get().weights().contentEquals(alone)).as("another seed shuffles differently").isFalse();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void handleAnswersTrainMessagesLikeTrainAndRefusesOtherTypes() {
    LabelledImages small = train.first(100);
    TrainInstructions instructions = new TrainInstructions(Models.initialWeights("mlp", 3), Config.of("round", 2));
    try (DjlClientApp app = new DjlClientApp("mlp", small, 5)) {
      Message reply = app.handle(MessageTypes.train(instructions), CONTEXT);
      TrainResult direct = app.train(instructions, CONTEXT);
      assertThat(MessageTypes.toTrainResult(reply).weights().contentEquals(direct.weights())).isTrue();
      Message refused = app.handle(Message.of("query"), CONTEXT);
      assertThat(refused.isError()).isTrue();
      assertThat(refused.error().code()).isEqualTo(MessageError.Code.UNSUPPORTED_TYPE);
    }
  }

  @Test
  void rejectsDataTheModelCannotTakeAndCallsAfterClose() {
    LabelledImages tiny = LabelledImages.of(2, 2, new byte[4], new int[] {1});
    assertThatThrownBy(() -> new DjlClientApp("cnn", tiny, 1)).hasMessageContaining("takes 28x28 images");
    DjlClientApp app = new DjlClientApp("mlp", train.first(10), 1);
    app.close();
    app.close();
    assertThatThrownBy(() -> app.train(new TrainInstructions(Models.initialWeights("mlp", 1), Config.empty()), CONTEXT))
        .isInstanceOf(IllegalStateException.class);
  }
}
