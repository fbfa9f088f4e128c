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

class FedAdamTest {
  // η 0.1, β₁ 0.9, β₂ 0.99 as in Flower; τ 0.01 so that it shows in the arithmetic
  private static final FedOpt.Hyperparameters HYPER = new FedOpt.Hyperparameters(0.1, 0.9, 0.99, 0.01);

  @Test
  void secondRoundDependsOnTheMomentsOfTheFirst() {
    FedAdam adam = new FedAdam(FedAvg.Settings.builder().build(), HYPER);
    ModelWeights global = vector(1, 1);
    // round 1: mean of 1 (3 examples) and 5 (1 example) = (3 + 5) / 4 = 2, so Δ = 1 for both coordinates
    AggregateResult r1 = adam.aggregateTrain(round(1), global, stream(
        result("a", vector(1, 1), 3), result("b", vector(5, 5), 1)));
    // m = 0.1 × 1 = 0.1; v = 0.01 × 1² = 0.01; new = 1 + 0.1 × 0.1 / (√0.01 + 0.01) = 1 + 0.01 / 0.11 = 1.0909091
    ModelWeights g2 = r1.model().orElseThrow();
    assertThat(value(g2, 0)).isCloseTo(1.0909091f, within(1e-6f));
    assertThat(value(g2, 1)).isCloseTo(1.0909091f, within(1e-6f));
    assertThat(r1.metrics().get(StrategyMetrics.SERVER_STEP).getAsDouble()).isEqualTo(1);

    // round 2: Δ = (0.5, 0.05)
    float x = value(g2, 0);
    AggregateResult r2 = adam.aggregateTrain(round(2), g2, stream(result("a", vector(x + 0.5f, x + 0.05f), 7)));
    // x: m = 0.9 × 0.1 + 0.1 × 0.5 = 0.14; v = 0.99 × 0.01 + 0.01 × 0.25 = 0.0124
    //    step = 0.1 × 0.14 / (√0.0124 + 0.01) = 0.014 / 0.1213553 = 0.1153637
    // y: m = 0.09 + 0.005 = 0.095; v = 0.0099 + 0.01 × 0.0025 = 0.009925
    //    step = 0.1 × 0.095 / (√0.009925 + 0.01) = 0.0095 / 0.1096242 = 0.0866596
    ModelWeights g3 = r2.model().orElseThrow();
    assertThat(value(g3, 0)).isCloseTo(x + 0.1153637f, within(2e-6f));
    assertThat(value(g3, 1)).isCloseTo(x + 0.0866596f, within(2e-6f));
    assertThat(r2.metrics().get(StrategyMetrics.SERVER_STEP).getAsDouble()).isEqualTo(2);
    // the pseudo-gradient norm is √(0.5² + 0.05²) = 0.5024938
    assertThat(r2.metrics().get(StrategyMetrics.PSEUDO_GRADIENT_NORM).getAsDouble()).isCloseTo(0.5024938,
        within(1e-5));
  }

  @Test
  void defaultsAreFlowers() {
    assertThat(FedAdam.DEFAULTS).isEqualTo(new FedOpt.Hyperparameters(0.1, 0.9, 0.99, 1e-9));
    assertThat(new FedAdam(FedAvg.Settings.builder().build()).hyperparameters()).isEqualTo(FedAdam.DEFAULTS);
  }
}
