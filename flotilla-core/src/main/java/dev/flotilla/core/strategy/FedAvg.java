package dev.flotilla.core.strategy;

import dev.flotilla.core.aggregate.WeightedMean;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.tensor.ModelWeights;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Federated averaging: sampled clients train from the global model; the new model is the mean of their weights,
 * weighted by their number of examples (McMahan et al., "Communication-Efficient Learning of Deep Networks from
 * Decentralized Data", AISTATS 2017). Results are folded as they arrive, so memory is one model's worth. A result
 * with 0 examples carries no weight and is skipped. Reports {@value StrategyMetrics#RESULTS_USED}.
 *
 * <p>The other strategies of this package extend FedAvg for its sampling, configuration and evaluation, and replace
 * {@link #aggregateTrain} (and, through {@link #trainConfig}, what clients are sent).
 */
public class FedAvg implements Strategy {
  private static final Set<Class<?>> FOLD_AND_DROP = Set.of(FedAvg.class, FedProx.class, FedAvgM.class,
      FedAdagrad.class, FedAdam.class, FedYogi.class);
  private final Settings settings;

  public FedAvg(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** FedAvg with every client every round, no federated evaluation and no central evaluation. */
  public FedAvg() {
    this(Settings.builder().build());
  }

  public Settings settings() {
    return settings;
  }

  @Override
  public List<ClientTask<TrainInstructions>> configureTrain(RoundContext ctx, ModelWeights global,
      List<ClientInfo> available) {
    TrainInstructions ins = new TrainInstructions(global, trainConfig(ctx));
    return settings.train().sample(available, ctx.random()).stream()
        .map(c -> new ClientTask<>(c.id(), ins))
        .toList();
  }

  /**
   * The configuration sent to every training client this round: the settings' train config with {@code round}
   * added. Subclasses add what their clients need (FedProx adds {@code proximal_mu}).
   */
  protected Config trainConfig(RoundContext ctx) {
    return settings.trainConfig().with("round", ctx.round());
  }

  /**
   * {@inheritDoc} The example-weighted mean of the results that have examples; none if no result has any.
   *
   * @throws IllegalArgumentException naming the tensor if a result does not match the specs of {@code global}
   */
  @Override
  public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> results) {
    WeightedMean mean = meanByExamples(global, results);
    Metrics metrics = Metrics.of(StrategyMetrics.RESULTS_USED, mean.count());
    return new AggregateResult(mean.count() == 0 ? Optional.empty() : Optional.of(mean.result()), metrics);
  }

  /**
   * {@inheritDoc} True for FedAvg itself and for the strategies of this package that fold each result into the
   * example-weighted mean and drop it ({@link FedProx}, {@link FedAvgM}, {@link FedAdagrad}, {@link FedAdam},
   * {@link FedYogi}); any other subclass is not covered and must say so itself.
   */
  @Override
  public boolean readsResultArraysOnlyWhileIterating() {
    return FOLD_AND_DROP.contains(getClass());
  }

  /**
   * Folds every result with examples into a mean weighted by examples, over the specs of {@code global}; results
   * with 0 examples are skipped. The caller checks {@link WeightedMean#count()} before asking for the result.
   *
   * @throws IllegalArgumentException naming the tensor if a result does not match the specs of {@code global}
   */
  protected static WeightedMean meanByExamples(ModelWeights global, Iterable<ClientResult<TrainResult>> results) {
    WeightedMean mean = new WeightedMean(global.specs());
    for (ClientResult<TrainResult> r : results) {
      if (r.result().numExamples() > 0) {
        mean.fold(r.result().weights(), r.result().numExamples());
      }
    }
    return mean;
  }

  @Override
  public List<ClientTask<EvaluateInstructions>> configureEvaluate(RoundContext ctx, ModelWeights global,
      List<ClientInfo> available) {
    if (settings.evaluate().fraction() == 0 && settings.evaluate().minClients() == 0) {
      return List.of();
    }
    EvaluateInstructions ins = new EvaluateInstructions(global, settings.evaluateConfig().with("round", ctx.round()));
    return settings.evaluate().sample(available, ctx.random()).stream()
        .map(c -> new ClientTask<>(c.id(), ins))
        .toList();
  }

  @Override
  public Optional<EvaluateResult> evaluate(RoundContext ctx, ModelWeights global) {
    return settings.centralEvaluator() == null
        ? Optional.empty()
        : Optional.of(settings.centralEvaluator().evaluate(global));
  }

  /**
   * FedAvg's configuration.
   *
   * @param train            who trains each round
   * @param evaluate         who evaluates each round ({@code 0, 0}: no federated evaluation)
   * @param trainConfig      sent to every training client (learning rate, epochs…); {@code round} is added
   * @param evaluateConfig   sent to every evaluating client; {@code round} is added
   * @param centralEvaluator evaluates the global model on server-side data, or null for none
   */
  public record Settings(Sampling train, Sampling evaluate, Config trainConfig, Config evaluateConfig,
      ModelEvaluator centralEvaluator) {
    public Settings {
      Objects.requireNonNull(train, "train");
      Objects.requireNonNull(evaluate, "evaluate");
      Objects.requireNonNull(trainConfig, "trainConfig");
      Objects.requireNonNull(evaluateConfig, "evaluateConfig");
    }

    public static Builder builder() {
      return new Builder();
    }

    /** Builds {@link Settings}; defaults: all clients train, none evaluate, empty configs, no evaluator. */
    public static final class Builder {
      private Sampling train = Sampling.all();
      private Sampling evaluate = new Sampling(0, 0);
      private Config trainConfig = Config.empty();
      private Config evaluateConfig = Config.empty();
      private ModelEvaluator centralEvaluator;

      public Builder train(Sampling s) {
        this.train = s;
        return this;
      }

      public Builder evaluate(Sampling s) {
        this.evaluate = s;
        return this;
      }

      public Builder trainConfig(Config c) {
        this.trainConfig = c;
        return this;
      }

      public Builder evaluateConfig(Config c) {
        this.evaluateConfig = c;
        return this;
      }

      public Builder centralEvaluator(ModelEvaluator e) {
        this.centralEvaluator = e;
        return this;
      }

      public Settings build() {
        return new Settings(train, evaluate, trainConfig, evaluateConfig, centralEvaluator);
      }
    }
  }
}
