package dev.flotilla.core.strategy;

import static dev.flotilla.core.testing.TrainRounds.result;
import static dev.flotilla.core.testing.TrainRounds.round;
import static dev.flotilla.core.testing.TrainRounds.stream;
import static dev.flotilla.core.testing.TrainRounds.value;
import static dev.flotilla.core.testing.TrainRounds.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.tensor.ModelWeights;
import org.junit.jupiter.api.Test;

class FedYogiTest {
  private static final FedOpt.Hyperparameters HYPER = new FedOpt.Hyperparameters(0.1, 0.9, 0.99, 0.01);

  @Test
  void secondMomentMovesTowardsTheSquaredUpdateByABoundedStep() {
    FedYogi yogi = new FedYogi(FedAvg.Settings.builder().build(), HYPER);
    ModelWeights global = vector(1, 1);
    // round 1: Δ = 2 − 1 = 1; m = 0.1; v = 0 − 0.01 × 1 × sign(0 − 1) = 0.01 (as Adam from v = 0)
    // new = 1 + 0.1 × 0.1 / (0.1 + 0.01) = 1.0909091
    ModelWeights g2 = yogi.aggregateTrain(round(1), global, stream(result("a", vector(2, 2), 5)))
        .model().orElseThrow();
    assertThat(value(g2, 0)).isCloseTo(1.0909091f, within(1e-6f));

    // round 2: Δ = (0.5, 0.05)
    float x = value(g2, 0);
    ModelWeights g3 = yogi.aggregateTrain(round(2), g2, stream(result("a", vector(x + 0.5f, x + 0.05f), 5)))
        .model().orElseThrow();
    // x: Δ² = 0.25 > v: v = 0.01 − 0.01 × 0.25 × sign(0.01 − 0.25) = 0.0125 (Adam: 0.0124)
    //    m = 0.14; step = 0.1 × 0.14 / (√0.0125 + 0.01) = 0.014 / 0.1218034 = 0.1149393
    // y: Δ² = 0.0025 < v: v = 0.01 − 0.01 × 0.0025 × sign(0.01 − 0.0025) = 0.009975 (Adam: 0.009925)
    //    m = 0.095; step = 0.0095 / (√0.009975 + 0.01) = 0.0095 / 0.1098749 = 0.0864620
    assertThat(value(g3, 0)).isCloseTo(x + 0.1149393f, within(2e-6f));
    assertThat(value(g3, 1)).isCloseTo(x + 0.0864620f, within(2e-6f));
  }

  @Test
  void defaultsAreFlowers() {
    assertThat(FedYogi.DEFAULTS).isEqualTo(new FedOpt.Hyperparameters(0.01, 0.9, 0.99, 1e-3));
  }
}
