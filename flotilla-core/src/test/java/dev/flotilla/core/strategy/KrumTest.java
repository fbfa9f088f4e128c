package dev.flotilla.core.strategy;

import static dev.flotilla.core.testing.TrainRounds.result;
import static dev.flotilla.core.testing.TrainRounds.round;
import static dev.flotilla.core.testing.TrainRounds.stream;
import static dev.flotilla.core.testing.TrainRounds.value;
import static dev.flotilla.core.testing.TrainRounds.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.message.TrainResult;
import java.util.List;
import org.junit.jupiter.api.Test;

class KrumTest {
  private static final FedAvg.Settings BASE = FedAvg.Settings.builder().build();

  // values 0, 1, 2, 3, 100 from clients a…e, listed out of order; n = 5, f = 1 (> 2f + 2 = 4)
  // n − f − 2 = 2 neighbours, squared distances:
  // 0: 1 + 4 = 5; 1: 1 + 1 = 2; 2: 1 + 1 = 2; 3: 1 + 4 = 5; 100: 97² + 98² = 19013
  // ranking (ties → lower client id): b (1), c (2), a (0), d (3), e (100)
  private static ResultStream<TrainResult> fiveResults() {
    return stream(List.of(result("e", vector(100), 1), result("c", vector(2), 1), result("a", vector(0), 0),
        result("d", vector(3), 7), result("b", vector(1), 1)));
  }

  @Test
  void krumKeepsTheBestScoredModel() {
    AggregateResult out = new Krum(BASE, 1, 1).aggregateTrain(round(1), vector(0), fiveResults());
    assertThat(value(out.model().orElseThrow(), 0)).isEqualTo(1f);
    assertThat(out.metrics().get(StrategyMetrics.KRUM_SELECTED).getAsDouble()).isEqualTo(1);
    assertThat(out.metrics().get(StrategyMetrics.KRUM_BEST_SCORE).getAsDouble()).isEqualTo(2);
    assertThat(out.metrics().get(StrategyMetrics.RESULTS_USED).getAsDouble()).isEqualTo(5);
  }

  @Test
  void multiKrumAveragesTheBestUnweighted() {
    // m = 3: b, c, a → (1 + 2 + 0) / 3 = 1
    AggregateResult three = new Krum(BASE, 1, 3).aggregateTrain(round(1), vector(0), fiveResults());
    assertThat(value(three.model().orElseThrow(), 0)).isCloseTo(1f, within(1e-6f));
    // m = 0 means n − f = 4: b, c, a, d → (1 + 2 + 0 + 3) / 4 = 1.5; the outlier is out
    AggregateResult dflt = new Krum(BASE, 1, 0).aggregateTrain(round(1), vector(0), fiveResults());
    assertThat(value(dflt.model().orElseThrow(), 0)).isCloseTo(1.5f, within(1e-6f));
    assertThat(dflt.metrics().get(StrategyMetrics.KRUM_SELECTED).getAsDouble()).isEqualTo(4);
  }

  @Test
  void tooFewResultsKeepTheModelAndSaySo() {
    // n = 4 is not > 2f + 2 = 4
    AggregateResult out = new Krum(BASE, 1, 1).aggregateTrain(round(1), vector(0), stream(
        result("a", vector(0), 1), result("b", vector(1), 1), result("c", vector(2), 1), result("d", vector(3), 1)));
    assertThat(out.model()).isEmpty();
    assertThat(out.metrics().get(StrategyMetrics.AGGREGATION_SKIPPED).getAsDouble()).isEqualTo(1);
    assertThat(Krum.problem(4, 1)).hasValue("Krum needs more than 2f + 2 = 4 results per round for f = 1, got 4");
    assertThat(Krum.problem(5, 1)).isEmpty();
  }
}
