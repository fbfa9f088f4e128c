package dev.flotilla.core.strategy;

import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.tensor.ModelWeights;
import java.util.List;
import java.util.Optional;

/**
 * Decides who trains, with what, and how results become the next global model. Implementations hold
 * configuration only; everything that changes per round arrives in the {@link RoundContext} and the arguments.
 *
 * <p>Threading: the server calls a strategy from one thread at a time.
 */
public interface Strategy {
  /** Chooses clients among {@code available} and the instructions for each. */
  List<ClientTask<TrainInstructions>> configureTrain(RoundContext ctx, ModelWeights global,
      List<ClientInfo> available);

  /**
   * Turns this round's results into the next global model, or empty to keep {@code global}. Results arrive
   * through {@code results} as clients deliver them, already checked against the global model's specs and for
   * non-finite values.
   */
  Optional<ModelWeights> aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> results);

  /** Chooses clients for federated evaluation; none by default. */
  default List<ClientTask<EvaluateInstructions>> configureEvaluate(RoundContext ctx, ModelWeights global,
      List<ClientInfo> available) {
    return List.of();
  }

  /** Combines federated evaluation results: by default the example-weighted mean of loss and of every metric. */
  default Optional<EvaluateResult> aggregateEvaluate(RoundContext ctx, ResultStream<EvaluateResult> results) {
    return Evaluations.weightedMean(results);
  }

  /** Central evaluation of the global model on server-side data; empty when there is none. */
  default Optional<EvaluateResult> evaluate(RoundContext ctx, ModelWeights global) {
    return Optional.empty();
  }
}
