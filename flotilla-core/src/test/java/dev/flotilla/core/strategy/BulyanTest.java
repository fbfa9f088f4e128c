package dev.flotilla.core.strategy;

import static dev.flotilla.core.testing.TrainRounds.result;
import static dev.flotilla.core.testing.TrainRounds.round;
import static dev.flotilla.core.testing.TrainRounds.stream;
import static dev.flotilla.core.testing.TrainRounds.value;
import static dev.flotilla.core.testing.TrainRounds.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class BulyanTest {
  private static final FedAvg.Settings BASE = FedAvg.Settings.builder().build();

  @Test
  void excludesOutliersThenAveragesAroundTheMedian() {
    // n = 7, f = 1: θ = 5 chosen by repeated Krum (see BulyanMeanTest): 2, 1, 3, 0, 4; 50 and 100 are out
    // β = θ − 2f = 3 closest to the median 2 of {0, 1, 2, 3, 4}: 2, 1, 3 → 2
    AggregateResult out = new Bulyan(BASE, 1).aggregateTrain(round(1), vector(0), stream(
        result("a", vector(0), 1), result("b", vector(1), 1), result("c", vector(2), 1), result("d", vector(3), 0),
        result("e", vector(4), 1), result("f", vector(50), 1), result("g", vector(100), 1000)));
    assertThat(value(out.model().orElseThrow(), 0)).isCloseTo(2f, within(1e-6f));
    assertThat(out.metrics().get(StrategyMetrics.BULYAN_SELECTED).getAsDouble()).isEqualTo(5);
    assertThat(out.metrics().get(StrategyMetrics.BULYAN_KEPT).getAsDouble()).isEqualTo(3);
    assertThat(out.metrics().get(StrategyMetrics.RESULTS_USED).getAsDouble()).isEqualTo(7);
  }

  @Test
  void tooFewResultsKeepTheModelAndSaySo() {
    AggregateResult out = new Bulyan(BASE, 1).aggregateTrain(round(1), vector(0), stream(
        result("a", vector(0), 1), result("b", vector(1), 1), result("c", vector(2), 1)));
    assertThat(out.model()).isEmpty();
    assertThat(out.metrics().get(StrategyMetrics.AGGREGATION_SKIPPED).getAsDouble()).isEqualTo(1);
    assertThat(Bulyan.problem(6, 1)).hasValue("Bulyan needs at least 4f + 3 = 7 results per round for f = 1, got 6");
    assertThat(Bulyan.problem(7, 1)).isEmpty();
  }
}
