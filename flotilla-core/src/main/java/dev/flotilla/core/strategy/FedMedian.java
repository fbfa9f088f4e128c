package dev.flotilla.core.strategy;

import dev.flotilla.core.aggregate.CoordinateMedian;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.tensor.ModelWeights;
import java.util.List;
import java.util.Optional;

/**
 * The coordinate-wise median of the client models (Yin, Chen, Ramchandran and Bartlett, "Byzantine-Robust
 * Distributed Learning: Towards Optimal Statistical Rates", ICML 2018): a minority of arbitrarily bad updates cannot
 * move any coordinate beyond the range of the good ones. See {@link CoordinateMedian}.
 *
 * <p>Every result counts once, whatever its number of examples (0 included). Memory: every update of the round is
 * held at once ({@link #needsAllResults()}). Sampling, configuration and evaluation are {@link FedAvg}'s.
 */
public class FedMedian extends FedAvg {
  /** The median with FedAvg's sampling, configuration and evaluation from {@code settings}. */
  public FedMedian(Settings settings) {
    super(settings);
  }

  /** True: the median needs every update of the round in memory at once. */
  @Override
  public boolean needsAllResults() {
    return true;
  }

  @Override
  public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> results) {
    List<ClientResult<TrainResult>> all = AllResults.collect(global, results);
    if (all.isEmpty()) {
      return AllResults.none();
    }
    return new AggregateResult(Optional.of(CoordinateMedian.of(AllResults.weights(all))),
        Metrics.of(StrategyMetrics.RESULTS_USED, all.size()));
  }
}
