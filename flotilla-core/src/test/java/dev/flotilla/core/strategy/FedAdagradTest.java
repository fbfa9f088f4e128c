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

class FedAdagradTest {
  // Flower's FedAdagrad: η 0.1, β₁ 0 (no momentum); τ 0.01 so that it shows
  private static final FedOpt.Hyperparameters HYPER = new FedOpt.Hyperparameters(0.1, 0.0, 0.0, 0.01);

  @Test
  void secondMomentAccumulatesEverySquaredUpdate() {
    FedAdagrad adagrad = new FedAdagrad(FedAvg.Settings.builder().build(), HYPER);
    // round 1: Δ = 2 − 1 = 1; m = Δ = 1; v = 0 + 1 = 1; new = 1 + 0.1 × 1 / (1 + 0.01) = 1.0990099
    ModelWeights g2 = adagrad.aggregateTrain(round(1), vector(1, 1), stream(result("a", vector(2, 2), 5)))
        .model().orElseThrow();
    assertThat(value(g2, 0)).isCloseTo(1.0990099f, within(1e-6f));

    // round 2: Δ = (0.5, 0.05)
    float x = value(g2, 0);
    ModelWeights g3 = adagrad.aggregateTrain(round(2), g2, stream(result("a", vector(x + 0.5f, x + 0.05f), 5)))
        .model().orElseThrow();
    // x: v = 1 + 0.25 = 1.25; step = 0.1 × 0.5 / (√1.25 + 0.01) = 0.05 / 1.1280340 = 0.0443249
    // y: v = 1 + 0.0025 = 1.0025; step = 0.1 × 0.05 / (√1.0025 + 0.01) = 0.005 / 1.0112492 = 0.0049444
    assertThat(value(g3, 0)).isCloseTo(x + 0.0443249f, within(2e-6f));
    assertThat(value(g3, 1)).isCloseTo(x + 0.0049444f, within(2e-6f));
  }

  @Test
  void defaultsAreFlowers() {
    assertThat(FedAdagrad.DEFAULTS).isEqualTo(new FedOpt.Hyperparameters(0.1, 0.0, 0.0, 1e-9));
  }
}
