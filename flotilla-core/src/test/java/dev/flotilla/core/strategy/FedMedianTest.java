package dev.flotilla.core.strategy;

import static dev.flotilla.core.testing.TrainRounds.result;
import static dev.flotilla.core.testing.TrainRounds.round;
import static dev.flotilla.core.testing.TrainRounds.stream;
import static dev.flotilla.core.testing.TrainRounds.vector;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FedMedianTest {
  @Test
  void medianOfEveryResultCountedOnceWhateverItsExamples() {
    FedMedian median = new FedMedian(FedAvg.Settings.builder().build());
    assertThat(median.needsAllResults()).isTrue();
    // x0: {1, 2, 100} → 2; x1: {10, −5, 0} → 0; the 1000 examples of "c" and the 0 of "b" do not weigh
    AggregateResult out = median.aggregateTrain(round(1), vector(0, 0), stream(
        result("a", vector(1, 10), 1), result("b", vector(2, -5), 0), result("c", vector(100, 0), 1000)));
    assertThat(out.model().orElseThrow().get(0).toArray()).containsExactly(2f, 0f);
    assertThat(out.metrics().get(StrategyMetrics.RESULTS_USED).getAsDouble()).isEqualTo(3);
  }
}
