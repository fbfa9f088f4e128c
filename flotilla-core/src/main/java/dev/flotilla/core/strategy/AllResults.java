package dev.flotilla.core.strategy;

import dev.flotilla.core.aggregate.UpdateValidator;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.tensor.ModelWeights;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** What the robust aggregators share: draining a round's results into memory in a reproducible order. */
final class AllResults {
  private AllResults() {}

  /**
   * Every result of the round, sorted by client id so that ties are broken the same way whatever order the results
   * arrived in. Each counts once, whatever its number of examples (0 included).
   *
   * @throws IllegalArgumentException naming the tensor if a result does not match the specs of {@code global}
   */
  static List<ClientResult<TrainResult>> collect(ModelWeights global, ResultStream<TrainResult> results) {
    List<ClientResult<TrainResult>> all = results.toList();
    all.sort(Comparator.comparing(ClientResult::clientId));
    for (ClientResult<TrainResult> r : all) {
      UpdateValidator.requireSpecs(global.specs(), r.result().weights());
    }
    return all;
  }

  /** The weights of {@code results}, in order. */
  static List<ModelWeights> weights(List<ClientResult<TrainResult>> results) {
    return results.stream().map(r -> r.result().weights()).toList();
  }

  /** No model: there were no results. */
  static AggregateResult none() {
    return new AggregateResult(Optional.empty(), Metrics.of(StrategyMetrics.RESULTS_USED, 0));
  }

  /** No model: a Byzantine bound does not hold for this round's number of results. */
  static AggregateResult skipped() {
    return new AggregateResult(Optional.empty(), Metrics.of(
        StrategyMetrics.RESULTS_USED, 0,
        StrategyMetrics.AGGREGATION_SKIPPED, 1));
  }
}
