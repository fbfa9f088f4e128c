package dev.flotilla.core.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.client.Context;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.AggregateResult;
import dev.flotilla.core.strategy.ClientResult;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.ResultStream;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.testing.TrainRounds;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class LocalDpModTest {
  private static final ModelWeights GLOBAL = ModelWeights.of(Tensor.of("x", new int[] {50_000}, new float[50_000]));

  private static Message train(int round) {
    return MessageTypes.train(new TrainInstructions(GLOBAL, Config.of("round", round)));
  }

  /** An app whose update is 10 in the first coordinate (norm 10) and reports a loss. */
  private static Message trainLong(Message request, Context context) {
    float[] v = new float[50_000];
    v[0] = 10;
    return MessageTypes.trainResult(new TrainResult(ModelWeights.of(Tensor.of("x", new int[] {50_000}, v)), 7,
        Metrics.of("train_loss", 0.3)));
  }

  @Test
  void clipsAndNoisesTheUpdateAndReportsOnlyItsEpsilon() {
    double z = 2.0;
    double clip = 0.5;
    LocalDpMod mod = new LocalDpMod(new LocalDpMod.Settings(clip, z, 1e-5, OptionalDouble.empty(), OptionalLong.of(1)));
    Context context = Context.of("c1", Config.empty());
    TrainResult out = MessageTypes.toTrainResult(mod.handle(train(1), context, LocalDpModTest::trainLong));
    assertThat(out.numExamples()).isEqualTo(7);
    assertThat(out.metrics().values().keySet()).containsExactly(PrivacyMetrics.LOCAL_EPSILON);
    assertThat(out.metrics().get(PrivacyMetrics.LOCAL_EPSILON).orElseThrow())
        .isCloseTo(RdpAccountant.epsilon(1.0, z, 1, 1e-5), within(1e-12));
    float[] noisy = out.weights().get(0).toArray();
    assertThat(noisy[0]).isCloseTo((float) clip, within((float) (6 * z * clip))); // the clipped update, plus noise
    double squares = 0;
    for (int j = 1; j < noisy.length; j++) {
      squares += (double) noisy[j] * noisy[j];
    }
    double std = Math.sqrt(squares / (noisy.length - 1));
    assertThat(std / (z * clip)).isCloseTo(1, within(0.02));

    TrainResult second = MessageTypes.toTrainResult(mod.handle(train(2), context, LocalDpModTest::trainLong));
    assertThat(second.metrics().get(PrivacyMetrics.LOCAL_EPSILON).orElseThrow())
        .isCloseTo(RdpAccountant.epsilon(1.0, z, 2, 1e-5), within(1e-12));
  }

  @Test
  void aClientRefusesOnceItsBudgetWouldBeExceeded() {
    double z = 3.0;
    double budget = (RdpAccountant.epsilon(1.0, z, 2, 1e-5) + RdpAccountant.epsilon(1.0, z, 3, 1e-5)) / 2;
    LocalDpMod mod = new LocalDpMod(new LocalDpMod.Settings(1, z, 1e-5, OptionalDouble.of(budget),
        OptionalLong.of(1)));
    Context context = Context.of("c1", Config.empty());
    assertThat(mod.handle(train(1), context, LocalDpModTest::trainLong).isError()).isFalse();
    assertThat(mod.handle(train(2), context, LocalDpModTest::trainLong).isError()).isFalse();
    Message refused = mod.handle(train(3), context, (m, c) -> {
      throw new AssertionError("a client out of budget must not train");
    });
    assertThat(refused.error().code()).isEqualTo(MessageError.Code.REFUSED);
    assertThat(refused.error().reason()).contains("local privacy budget");
  }

  @Test
  void theServerReportsTheLargestEpsilonOfAnyClient() {
    LocalDpAccounting strategy = new LocalDpAccounting(new FedAvg(), 1e-5);
    ModelWeights model = TrainRounds.vector(1, 2);
    AggregateResult first = strategy.aggregateTrain(TrainRounds.round(1), model, ResultStream.of(List.of(
        new ClientResult<>("a", new TrainResult(model, 1, Metrics.of(PrivacyMetrics.LOCAL_EPSILON, 0.7))),
        new ClientResult<>("b", new TrainResult(model, 1, Metrics.of(PrivacyMetrics.LOCAL_EPSILON, 1.2)))),
        List.of()));
    assertThat(first.metrics().get(PrivacyMetrics.EPSILON)).hasValue(1.2);
    AggregateResult second = strategy.aggregateTrain(TrainRounds.round(2), model, ResultStream.of(List.of(
        new ClientResult<>("c", new TrainResult(model, 1, Metrics.of(PrivacyMetrics.LOCAL_EPSILON, 0.7)))),
        List.of()));
    assertThat(second.metrics().get(PrivacyMetrics.EPSILON)).hasValue(1.2);
    assertThat(second.metrics().get(PrivacyMetrics.DELTA)).hasValue(1e-5);
    LocalDpAccounting restored = new LocalDpAccounting(new FedAvg(), 1e-5);
    restored.restore(strategy.state());
    assertThat(restored.state()).isEqualTo(strategy.state());
  }
}
