package dev.flotilla.core.strategy;

import dev.flotilla.core.aggregate.WeightedMean;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.tensor.ModelWeights;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Federated averaging: sampled clients train from the global model; the new model is the mean of their weights,
 * weighted by their number of examples (McMahan et al., "Communication-Efficient Learning of Deep Networks from
 * Decentralized Data", AISTATS 2017). Results are folded as they arrive, so memory is one model's worth.
 */
public class FedAvg implements Strategy {
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
    Config config = settings.trainConfig().with("round", ctx.round());
    TrainInstructions ins = new TrainInstructions(global, config);
    return settings.train().sample(available, ctx.random()).stream()
        .map(c -> new ClientTask<>(c.id(), ins))
        .toList();
  }

  @Override
  public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> results) {
    WeightedMean mean = new WeightedMean(global.specs());
    for (ClientResult<TrainResult> r : results) {
      if (r.result().numExamples() > 0) {
        mean.fold(r.result().weights(), r.result().numExamples());
      }
    }
    return mean.count() == 0 ? AggregateResult.none() : AggregateResult.of(mean.result());
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
