package dev.flotilla.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.Metrics;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EvaluationsTest {
  private static ClientResult<EvaluateResult> client(String id, double loss, long examples, Metrics metrics) {
    return new ClientResult<>(id, new EvaluateResult(loss, examples, metrics));
  }

  private static final List<ClientResult<EvaluateResult>> RESULTS = List.of(
      client("a", 1.0, 10, Metrics.of("accuracy", 0.9)),
      client("b", 2.0, 30, Metrics.of("accuracy", 0.6)),
      client("c", 3.0, 60, Metrics.of("accuracy", 0.3)),
      client("empty", 9.0, 0, Metrics.of("accuracy", 0.0)));

  @Test
  void defaultAggregationReportsTheMeanAndTheSpreadBetweenClients() {
    EvaluateResult out = new FedAvg().aggregateEvaluate(new RoundContext(1, 1, 0),
        ResultStream.of(RESULTS, List.of())).orElseThrow();

    // the mean as before: loss (10 + 60 + 180) / 100, accuracy (9 + 18 + 18) / 100
    assertThat(out.numExamples()).isEqualTo(100);
    assertThat(out.loss()).isCloseTo(2.5, within(1e-12));
    assertThat(out.accuracy()).isCloseTo(0.45, within(1e-12));
    // the spread, each client counting once: plain mean 0.6, std sqrt((0.09 + 0 + 0.09) / 3)
    Metrics m = out.metrics();
    assertThat(m.get(Evaluations.CLIENTS).orElseThrow()).isEqualTo(3);
    assertThat(m.get(Evaluations.ACCURACY_STD).orElseThrow()).isCloseTo(Math.sqrt(0.06), within(1e-12));
    assertThat(m.get(Evaluations.ACCURACY_MIN).orElseThrow()).isEqualTo(0.3);
    assertThat(m.get(Evaluations.ACCURACY_MAX).orElseThrow()).isEqualTo(0.9);
    assertThat(m.values().keySet()).containsExactly("accuracy", "clients", "accuracy_std", "accuracy_min",
        "accuracy_max");
  }

  @Test
  void clientsWithoutAccuracyCountAsClientsButNotInTheSpread() {
    Metrics spread = Evaluations.accuracySpread(List.of(
        client("a", 1.0, 10, Metrics.of("accuracy", 0.8)),
        client("b", 1.0, 10, Metrics.of("f1", 0.1))));

    assertThat(spread.get(Evaluations.CLIENTS).orElseThrow()).isEqualTo(2);
    assertThat(spread.get(Evaluations.ACCURACY_STD).orElseThrow()).isEqualTo(0.0);
    assertThat(spread.get(Evaluations.ACCURACY_MIN).orElseThrow()).isEqualTo(0.8);
  }

  @Test
  void noAccuracyAnywhereGivesOnlyTheClientCount() {
    Metrics spread = Evaluations.accuracySpread(List.of(client("a", 1.0, 10, Metrics.empty())));
    assertThat(spread).isEqualTo(Metrics.of(Evaluations.CLIENTS, 1));
  }

  @Test
  void weightedMeanAloneIsUnchanged() {
    EvaluateResult out = Evaluations.weightedMean(RESULTS).orElseThrow();
    assertThat(out.metrics().values().keySet()).containsExactly("accuracy");
  }

  @Test
  void noExamplesGiveNoResult() {
    assertThat(Evaluations.weightedMeanWithSpread(List.of(client("a", 1.0, 0, Metrics.empty())))).isEmpty();
  }

  @Test
  void readsAStreamOnlyOnce() {
    AtomicInteger iterations = new AtomicInteger();
    ResultStream<EvaluateResult> once = new ResultStream<>() {
      @Override
      public List<ClientFailure> failures() {
        return List.of();
      }

      @Override
      public Iterator<ClientResult<EvaluateResult>> iterator() {
        if (iterations.incrementAndGet() > 1) {
          throw new IllegalStateException("a result stream can be iterated once");
        }
        return RESULTS.iterator();
      }
    };
    assertThat(Evaluations.weightedMeanWithSpread(once)).isPresent();
    assertThat(iterations).hasValue(1);
  }
}
