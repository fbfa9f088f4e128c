package dev.flotilla.core.strategy;

import dev.flotilla.core.aggregate.BulyanMean;
import dev.flotilla.core.aggregate.KrumScores;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.tensor.ModelWeights;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bulyan (El Mhamdi, Guerraoui and Rouault, "The Hidden Vulnerability of Distributed Learning in Byzantium",
 * ICML 2018): select {@code θ = n − 2f} of the {@code n} client models by repeated Krum, then for each coordinate
 * average the {@code β = θ − 2f} selected values closest to their median ({@link BulyanMean}). Ties go to the lower
 * client id. Every result counts once, whatever its number of examples (0 included).
 *
 * <p>The guarantee needs {@code n ≥ 4f + 3}. A round with fewer results keeps the current model, logs a warning and
 * reports {@value StrategyMetrics#AGGREGATION_SKIPPED}; {@link Strategies#validate} checks the bound against the
 * planned number of clients per round before a run. The selected client ids are logged at INFO.
 *
 * <p>Memory: every update of the round is held at once ({@link #needsAllResults()}), and an {@code n × n} distance
 * matrix. Sampling, configuration and evaluation are {@link FedAvg}'s.
 */
public class Bulyan extends FedAvg {
  private static final Logger log = LoggerFactory.getLogger(Bulyan.class);
  private final int byzantine;

  /** @param byzantine {@code f}, the number of Byzantine clients tolerated, {@code >= 0} */
  public Bulyan(Settings settings, int byzantine) {
    super(settings);
    if (byzantine < 0) {
      throw new IllegalArgumentException("Bulyan byzantine f must be >= 0, got " + byzantine);
    }
    this.byzantine = byzantine;
  }

  /**
   * Why Bulyan cannot run with {@code n} results for {@code f} Byzantine clients ({@code n < 4f + 3}), or empty if
   * it can.
   */
  public static Optional<String> problem(int n, int f) {
    return BulyanMean.enoughModels(n, f) ? Optional.empty() : Optional.of("Bulyan needs at least 4f + 3 = "
        + (4 * f + 3) + " results per round for f = " + f + ", got " + n);
  }

  /** f, the number of Byzantine clients tolerated. */
  public int byzantine() {
    return byzantine;
  }

  /** True: Bulyan compares every update of the round with every other. */
  @Override
  public boolean needsAllResults() {
    return true;
  }

  @Override
  public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> results) {
    List<ClientResult<TrainResult>> all = AllResults.collect(global, results);
    int n = all.size();
    if (n == 0) {
      return AllResults.none();
    }
    Optional<String> problem = problem(n, byzantine);
    if (problem.isPresent()) {
      log.warn("round {}: {}; keeping the current model", ctx.round(), problem.get());
      return AllResults.skipped();
    }
    List<ModelWeights> models = AllResults.weights(all);
    int[] selected = BulyanMean.select(KrumScores.distances(models), byzantine);
    int kept = selected.length - 2 * byzantine;
    log.info("round {}: Bulyan selected {}", ctx.round(),
        Arrays.stream(selected).mapToObj(i -> all.get(i).clientId()).toList());
    ModelWeights model = BulyanMean.closestToMedianMean(BulyanMean.pick(models, selected), kept);
    return new AggregateResult(Optional.of(model), Metrics.of(
        StrategyMetrics.RESULTS_USED, n,
        StrategyMetrics.BULYAN_SELECTED, selected.length,
        StrategyMetrics.BULYAN_KEPT, kept));
  }
}
