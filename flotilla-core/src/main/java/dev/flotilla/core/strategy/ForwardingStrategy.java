package dev.flotilla.core.strategy;

import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A strategy that forwards every call to another: the base of wrappers that add behaviour to any strategy (personal
 * layers, differential privacy, compression). A wrapper overrides what it changes and inherits the rest, so a method
 * added to {@link Strategy} later reaches the wrapped strategy without each wrapper having to know of it (a wrapper
 * that forgot {@link #stopReason()} would hide a privacy budget's stop).
 */
public abstract class ForwardingStrategy implements Strategy {
  /** The wrapped strategy. */
  protected final Strategy inner;

  /** A wrapper around {@code inner}. */
  protected ForwardingStrategy(Strategy inner) {
    this.inner = Objects.requireNonNull(inner, "inner");
  }

  @Override
  public List<ClientTask<TrainInstructions>> configureTrain(RoundContext ctx, ModelWeights global,
      List<ClientInfo> available) {
    return inner.configureTrain(ctx, global, available);
  }

  @Override
  public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> results) {
    return inner.aggregateTrain(ctx, global, results);
  }

  @Override
  public Optional<String> checkTrainResult(ModelWeights global, TrainResult result) {
    return inner.checkTrainResult(global, result);
  }

  @Override
  public Optional<List<TensorSpec>> trainResultSpecs(ModelWeights global) {
    return inner.trainResultSpecs(global);
  }

  @Override
  public boolean needsAllResults() {
    return inner.needsAllResults();
  }

  @Override
  public StrategyState state() {
    return inner.state();
  }

  @Override
  public void restore(StrategyState state) {
    inner.restore(state);
  }

  @Override
  public String name() {
    return getClass().getSimpleName() + "(" + inner.name() + ")";
  }

  @Override
  public Optional<String> stopReason() {
    return inner.stopReason();
  }

  @Override
  public List<ClientTask<EvaluateInstructions>> configureEvaluate(RoundContext ctx, ModelWeights global,
      List<ClientInfo> available) {
    return inner.configureEvaluate(ctx, global, available);
  }

  @Override
  public Optional<EvaluateResult> aggregateEvaluate(RoundContext ctx, ResultStream<EvaluateResult> results) {
    return inner.aggregateEvaluate(ctx, results);
  }

  @Override
  public Optional<EvaluateResult> evaluate(RoundContext ctx, ModelWeights global) {
    return inner.evaluate(ctx, global);
  }
}
