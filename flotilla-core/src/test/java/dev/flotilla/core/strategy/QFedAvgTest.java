package dev.flotilla.core.strategy;

import static dev.flotilla.core.testing.TrainRounds.result;
import static dev.flotilla.core.testing.TrainRounds.round;
import static dev.flotilla.core.testing.TrainRounds.stream;
import static dev.flotilla.core.testing.TrainRounds.value;
import static dev.flotilla.core.testing.TrainRounds.vector;
import static dev.flotilla.core.testing.TrainRounds.withLoss;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainResult;
import org.junit.jupiter.api.Test;

class QFedAvgTest {
  private static final FedAvg.Settings BASE = FedAvg.Settings.builder().build();

  @Test
  void aggregatesWithTheClientsLosses() {
    QFedAvg qffl = new QFedAvg(BASE, 1, 1);
    // as in QFflAggregatorTest: w = 1; (w₁ = 0, F₁ = 1), (w₂ = 2, F₂ = 4) → 1 + 3 / 7 = 1.4285714
    // numbers of examples do not weigh; the client with 0 examples is skipped
    AggregateResult out = qffl.aggregateTrain(round(1), vector(1), stream(
        withLoss("a", vector(0), 10, 1), withLoss("b", vector(2), 99, 4), withLoss("c", vector(50), 0, 9)));
    assertThat(value(out.model().orElseThrow(), 0)).isCloseTo(1.4285714f, within(1e-6f));
    assertThat(out.metrics().get(StrategyMetrics.RESULTS_USED).getAsDouble()).isEqualTo(2);
    assertThat(out.metrics().get(StrategyMetrics.MEAN_TRAIN_LOSS).getAsDouble()).isEqualTo(2.5); // (1 + 4) / 2
  }

  @Test
  void resultWithoutItsLossIsRejectedBeforeAggregationAndFailsIt() {
    QFedAvg qffl = new QFedAvg(BASE, QFedAvg.DEFAULT_Q, QFedAvg.DEFAULT_LIPSCHITZ);
    TrainResult noLoss = new TrainResult(vector(1), 5, Metrics.of("accuracy", 0.5));
    assertThat(qffl.checkTrainResult(vector(0), noLoss)).hasValueSatisfying(p ->
        assertThat(p).contains("train_loss").contains("accuracy"));
    TrainResult negative = new TrainResult(vector(1), 5, Metrics.of("train_loss", -2));
    assertThat(qffl.checkTrainResult(vector(0), negative)).hasValueSatisfying(p -> assertThat(p).contains("-2.0"));
    assertThat(qffl.checkTrainResult(vector(0), withLoss("a", vector(1), 5, 0.3).result())).isEmpty();
    // a shape problem is still FedAvg's
    assertThat(qffl.checkTrainResult(vector(0), withLoss("a", vector(1, 2), 5, 0.3).result())).isPresent();

    assertThatThrownBy(() -> qffl.aggregateTrain(round(1), vector(0), stream(result("lossless", vector(1), 5))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lossless").hasMessageContaining(
            "train_loss");
  }

  @Test
  void rejectsOutOfRangeParameters() {
    assertThatThrownBy(() -> new QFedAvg(BASE, -1, 10)).hasMessageContaining("q").hasMessageContaining("-1.0");
    assertThatThrownBy(() -> new QFedAvg(BASE, 0.2, 0)).hasMessageContaining("Lipschitz");
  }
}
