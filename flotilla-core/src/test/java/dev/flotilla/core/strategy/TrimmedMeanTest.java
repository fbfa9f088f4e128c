package dev.flotilla.core.strategy;

import static dev.flotilla.core.testing.TrainRounds.result;
import static dev.flotilla.core.testing.TrainRounds.round;
import static dev.flotilla.core.testing.TrainRounds.stream;
import static dev.flotilla.core.testing.TrainRounds.value;
import static dev.flotilla.core.testing.TrainRounds.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TrimmedMeanTest {
  @Test
  void dropsTheLargestAndSmallestOfEachCoordinate() {
    TrimmedMean trimmed = new TrimmedMean(FedAvg.Settings.builder().build(), 0.2);
    // n = 5, ⌊0.2 × 5⌋ = 1 per side: {1, 2, 3, 4, 100} → (2 + 3 + 4) / 3 = 3
    AggregateResult out = trimmed.aggregateTrain(round(1), vector(0), stream(
        result("a", vector(4), 1), result("b", vector(100), 1), result("c", vector(1), 0),
        result("d", vector(3), 50), result("e", vector(2), 1)));
    assertThat(value(out.model().orElseThrow(), 0)).isCloseTo(3f, within(1e-6f));
    assertThat(out.metrics().get(StrategyMetrics.TRIMMED_PER_SIDE).getAsDouble()).isEqualTo(1);
    assertThat(out.metrics().get(StrategyMetrics.RESULTS_USED).getAsDouble()).isEqualTo(5);
  }

  @Test
  void fractionMustLeaveAValue() {
    assertThatThrownBy(() -> new TrimmedMean(FedAvg.Settings.builder().build(), 0.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0.5");
  }
}
