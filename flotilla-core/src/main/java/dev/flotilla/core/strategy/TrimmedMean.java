package dev.flotilla.core.strategy;

import dev.flotilla.core.aggregate.CoordinateTrimmedMean;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.tensor.ModelWeights;
import java.util.List;
import java.util.Optional;

/**
 * The coordinate-wise trimmed mean of the client models (Yin, Chen, Ramchandran and Bartlett, "Byzantine-Robust
 * Distributed Learning: Towards Optimal Statistical Rates", ICML 2018): for each coordinate the {@code ⌊β n⌋}
 * largest and smallest of the {@code n} values are dropped and the rest averaged. See {@link CoordinateTrimmedMean}.
 * Flower calls it FedTrimmedAvg; its default {@code β} is 0.2.
 *
 * <p>Every result counts once, whatever its number of examples (0 included). Memory: every update of the round is
 * held at once ({@link #needsAllResults()}). Sampling, configuration and evaluation are {@link FedAvg}'s.
 */
public class TrimmedMean extends FedAvg {
  /** Flower's default fraction trimmed at each end. */
  public static final double DEFAULT_BETA = 0.2;

  private final double beta;

  /** @param beta the fraction dropped at each end of every coordinate, in [0, 0.5) */
  public TrimmedMean(Settings settings, double beta) {
    super(settings);
    if (!(beta >= 0 && beta < 0.5)) {
      throw new IllegalArgumentException("TrimmedMean beta must be in [0, 0.5), got " + beta);
    }
    this.beta = beta;
  }

  /** β, the fraction dropped at each end of every coordinate. */
  public double beta() {
    return beta;
  }

  /** True: the trimmed mean needs every update of the round in memory at once. */
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
    return new AggregateResult(Optional.of(CoordinateTrimmedMean.of(AllResults.weights(all), beta)), Metrics.of(
        StrategyMetrics.RESULTS_USED, all.size(),
        StrategyMetrics.TRIMMED_PER_SIDE, CoordinateTrimmedMean.trimmedPerSide(all.size(), beta)));
  }
}
