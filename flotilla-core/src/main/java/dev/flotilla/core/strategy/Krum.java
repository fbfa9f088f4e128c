package dev.flotilla.core.strategy;

import dev.flotilla.core.aggregate.KrumScores;
import dev.flotilla.core.aggregate.WeightedMean;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.tensor.ModelWeights;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Krum and multi-Krum (Blanchard, El Mhamdi, Guerraoui and Stainer, "Machine Learning with Adversaries: Byzantine
 * Tolerant Gradient Descent", NeurIPS 2017). Each of the {@code n} client models is scored by the sum of squared
 * distances to its {@code n − f − 2} nearest others ({@link KrumScores}); Krum returns the best-scored model,
 * multi-Krum the unweighted mean of the {@code m} best (Flower weights that mean by examples; here every result
 * counts once, whatever its number of examples, 0 included). Ties go to the lower client id.
 *
 * <p>The guarantee needs {@code n > 2f + 2}. A round with fewer results keeps the current model, logs a warning
 * and reports {@value StrategyMetrics#AGGREGATION_SKIPPED}; {@link Strategies#validate} checks the bound against
 * the planned number of clients per round before a run. The selected client ids are logged at INFO.
 *
 * <p>Memory: every update of the round is held at once ({@link #needsAllResults()}), and an {@code n × n} distance
 * matrix. Sampling, configuration and evaluation are {@link FedAvg}'s.
 */
public class Krum extends FedAvg {
  private static final Logger log = LoggerFactory.getLogger(Krum.class);
  private final int byzantine;
  private final int keep;

  /**
   * @param byzantine {@code f}, the number of Byzantine clients tolerated, {@code >= 0}
   * @param keep      {@code m}, how many best-scored models to average: 1 for Krum, 0 for {@code n − f}
   */
  public Krum(Settings settings, int byzantine, int keep) {
    super(settings);
    if (byzantine < 0) {
      throw new IllegalArgumentException("Krum byzantine f must be >= 0, got " + byzantine);
    }
    if (keep < 0) {
      throw new IllegalArgumentException("multi-Krum m must be >= 0 (0: n - f), got " + keep);
    }
    this.byzantine = byzantine;
    this.keep = keep;
  }

  /**
   * Why Krum cannot run with {@code n} results for {@code f} Byzantine clients ({@code n ≤ 2f + 2}), or empty if
   * it can.
   */
  public static Optional<String> problem(int n, int f) {
    return n > 2 * f + 2 ? Optional.empty() : Optional.of("Krum needs more than 2f + 2 = " + (2 * f + 2)
        + " results per round for f = " + f + ", got " + n);
  }

  /** f, the number of Byzantine clients tolerated. */
  public int byzantine() {
    return byzantine;
  }

  /** {@code m}: 1 for Krum, 0 for {@code n − f}. */
  public int keep() {
    return keep;
  }

  /** True: the scores compare every update of the round with every other. */
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
    double[][] distances = KrumScores.distances(models);
    int[] everyone = KrumScores.all(n);
    double[] scores = KrumScores.scores(distances, everyone, byzantine);
    int[] ranking = KrumScores.ranking(scores, everyone);
    int m = Math.min(n, keep == 0 ? n - byzantine : keep);
    int[] selected = Arrays.copyOf(ranking, m);
    log.info("round {}: Krum selected {}", ctx.round(),
        Arrays.stream(selected).mapToObj(i -> all.get(i).clientId()).toList());
    return new AggregateResult(Optional.of(mean(models, selected)), Metrics.of(
        StrategyMetrics.RESULTS_USED, n,
        StrategyMetrics.KRUM_SELECTED, m,
        StrategyMetrics.KRUM_BEST_SCORE, scores[ranking[0]]));
  }

  /** The selected model itself for one, else the unweighted mean of the selected models. */
  private static ModelWeights mean(List<ModelWeights> models, int[] selected) {
    if (selected.length == 1) {
      return models.get(selected[0]);
    }
    WeightedMean mean = new WeightedMean(models.get(0).specs());
    for (int i : selected) {
      mean.fold(models.get(i), 1);
    }
    return mean.result();
  }
}
