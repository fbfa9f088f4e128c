package dev.flotilla.core.strategy;

import static dev.flotilla.core.testing.TrainRounds.result;
import static dev.flotilla.core.testing.TrainRounds.round;
import static dev.flotilla.core.testing.TrainRounds.stream;
import static dev.flotilla.core.testing.TrainRounds.value;
import static dev.flotilla.core.testing.TrainRounds.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.tensor.ModelWeights;
import org.junit.jupiter.api.Test;

class FedAvgMTest {
  private static final FedAvg.Settings BASE = FedAvg.Settings.builder().build();

  @Test
  void momentumCarriesTheFirstRoundIntoTheSecond() {
    FedAvgM avgm = new FedAvgM(BASE, 0.5, 0.9);
    // round 1: mean = (1 × 3 + 5 × 1) / 4 = 2; d = 1 − 2 = −1; v = 0.9 × 0 − 1 = −1; new = 1 − 0.5 × (−1) = 1.5
    AggregateResult r1 = avgm.aggregateTrain(round(1), vector(1), stream(
        result("a", vector(1), 3), result("b", vector(5), 1)));
    assertThat(value(r1.model().orElseThrow(), 0)).isCloseTo(1.5f, within(1e-6f));
    assertThat(r1.metrics().get(StrategyMetrics.PSEUDO_GRADIENT_NORM).getAsDouble()).isCloseTo(1, within(1e-9));

    // round 2: mean = 2; d = 1.5 − 2 = −0.5; v = 0.9 × (−1) − 0.5 = −1.4; new = 1.5 − 0.5 × (−1.4) = 2.2
    AggregateResult r2 = avgm.aggregateTrain(round(2), r1.model().get(), stream(result("a", vector(2), 1)));
    assertThat(value(r2.model().orElseThrow(), 0)).isCloseTo(2.2f, within(1e-6f));
    // without the momentum of round 1 it would have been 1.5 + 0.5 × 0.5 = 1.75
  }

  @Test
  void flowerDefaultsAreFedAvg() {
    FedAvgM avgm = new FedAvgM(BASE, FedAvgM.DEFAULT_SERVER_LR, FedAvgM.DEFAULT_MOMENTUM);
    // d = 1 − 2 = −1; new = 1 − 1 × (−1) = 2: the mean itself
    ModelWeights out = avgm.aggregateTrain(round(1), vector(1), stream(
        result("a", vector(1), 3), result("b", vector(5), 1))).model().orElseThrow();
    assertThat(value(out, 0)).isEqualTo(2f);
  }

  @Test
  void stateIsTheMomentumBufferAndRefusesOtherStates() {
    FedAvgM avgm = new FedAvgM(BASE, 0.5, 0.9);
    assertThat(avgm.state().isEmpty()).isTrue();
    avgm.aggregateTrain(round(1), vector(1), stream(result("a", vector(2), 1)));
    StrategyState state = avgm.state();
    assertThat(state.arrays().names()).containsExactly("momentum/x");
    assertThat(state.arrays().get(0).get(0)).isEqualTo(-1f);

    FedAvgM other = new FedAvgM(BASE, 0.5, 0.9);
    assertThatThrownBy(() -> other.restore(new StrategyState(Config.of("strategy", "fedadam"), state.arrays())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fedadam");
    // a buffer for another model is refused when it is used, naming the tensor
    other.restore(state);
    assertThatThrownBy(() -> other.aggregateTrain(round(2), vector(1, 2), stream(result("a", vector(2, 3), 1))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x[2]");
  }

  @Test
  void rejectsOutOfRangeParameters() {
    assertThatThrownBy(() -> new FedAvgM(BASE, 0, 0.9)).hasMessageContaining("serverLr").hasMessageContaining("0.0");
    assertThatThrownBy(() -> new FedAvgM(BASE, 1, 1)).hasMessageContaining("momentum").hasMessageContaining("1.0");
  }
}
