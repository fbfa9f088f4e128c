package dev.flotilla.core.testing;

import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.AggregateResult;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.core.strategy.ClientTask;
import dev.flotilla.core.strategy.ResultStream;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.tensor.ModelWeights;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Wraps a strategy and records, round by round, the training failures it was handed, so tests can check how a
 * server classified misbehaving clients. Thread-safe.
 */
public final class RecordingStrategy implements Strategy {
  private final Strategy delegate;
  private final List<List<ClientFailure>> trainFailures = new CopyOnWriteArrayList<>();

  /** Records what {@code delegate} is handed; every decision stays the delegate's. */
  public RecordingStrategy(Strategy delegate) {
    this.delegate = delegate;
  }

  /** The failures of each training round so far, in round order. */
  public List<List<ClientFailure>> trainFailures() {
    return List.copyOf(trainFailures);
  }

  @Override
  public List<ClientTask<TrainInstructions>> configureTrain(RoundContext ctx, ModelWeights global,
      List<ClientInfo> available) {
    return delegate.configureTrain(ctx, global, available);
  }

  @Override
  public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> results) {
    AggregateResult out = delegate.aggregateTrain(ctx, global, results);
    trainFailures.add(results.failures());
    return out;
  }

  @Override
  public List<ClientTask<EvaluateInstructions>> configureEvaluate(RoundContext ctx, ModelWeights global,
      List<ClientInfo> available) {
    return delegate.configureEvaluate(ctx, global, available);
  }

  @Override
  public Optional<EvaluateResult> aggregateEvaluate(RoundContext ctx, ResultStream<EvaluateResult> results) {
    return delegate.aggregateEvaluate(ctx, results);
  }

  @Override
  public Optional<EvaluateResult> evaluate(RoundContext ctx, ModelWeights global) {
    return delegate.evaluate(ctx, global);
  }
}
