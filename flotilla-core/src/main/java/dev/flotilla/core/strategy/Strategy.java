package dev.flotilla.core.strategy;

import dev.flotilla.core.aggregate.UpdateValidator;
import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.List;
import java.util.Optional;

/**
 * Decides who trains, with what, and how results become the next global model. What changes per round arrives in
 * the {@link RoundContext} and the arguments. A strategy may also keep state across rounds (a server optimiser's
 * moments): it then exposes it through {@link #state()} and takes it back through {@link #restore}, so that a run can
 * be checkpointed and resumed; a restored strategy must make exactly the rounds the original would have made.
 *
 * <p>Results reach {@link #aggregateTrain} as a stream, so a strategy that folds them as they arrive needs memory
 * for one model however many clients there are. A strategy that needs every result at once (median, Krum) says so
 * with {@link #needsAllResults()} and drains the stream with {@link ResultStream#toList()}.
 *
 * <p>Threading: the server calls a strategy from one thread at a time.
 */
public interface Strategy {
  /** Chooses clients among {@code available} and the instructions for each. */
  List<ClientTask<TrainInstructions>> configureTrain(RoundContext ctx, ModelWeights global,
      List<ClientInfo> available);

  /**
   * Turns this round's results into the next global model (or none, to keep {@code global}) and metrics of its own.
   * Results arrive through {@code results} as clients deliver them, each already accepted by
   * {@link #checkTrainResult}.
   */
  AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> results);

  /**
   * Why {@code result} cannot be aggregated with {@code global}, or empty if it can; a result with a problem becomes
   * a {@code REJECTED} failure of its client. By default a result must be a float32 model of the global model's
   * names and shapes, without NaN or infinite values; strategies that take other updates (a part of the model,
   * compressed or masked arrays) say what they accept.
   */
  default Optional<String> checkTrainResult(ModelWeights global, TrainResult result) {
    return UpdateValidator.problem(global.specs(), result.weights());
  }

  /**
   * The arrays every acceptable training result carries (names, dtypes and shapes, in order), if
   * {@link #checkTrainResult} demands exact ones; empty if it accepts other arrays (compressed or masked updates).
   * A server refuses a result whose header declares other arrays before it allocates memory for them, and closes
   * that client's connection; with empty, it bounds a result by the bytes of the model it sent. By default the specs
   * of {@code global}, as the default {@link #checkTrainResult} requires; a strategy that overrides that check
   * overrides this too.
   */
  default Optional<List<TensorSpec>> trainResultSpecs(ModelWeights global) {
    return Optional.of(global.specs());
  }

  /**
   * Whether {@link #aggregateTrain} reads the arrays of each training result only before its iterator moves on (or
   * the stream ends), keeping no reference to them, to anything built over them (a renamed or filtered tensor) or to
   * the result afterwards. A server may then hand it results whose float32 arrays are views of the buffers they
   * arrived in ({@link dev.flotilla.core.tensor.Tensor#lent}), given back to the transport as the iteration moves
   * on: no copy of each upload into arrays. Reading such an array later throws {@link IllegalStateException}.
   * Default false; the strategies that fold and drop (FedAvg, FedProx, FedAvgM, FedAdagrad, FedAdam, FedYogi) say
   * true, and their subclasses say so themselves.
   */
  default boolean readsResultArraysOnlyWhileIterating() {
    return false;
  }

  /**
   * Whether {@link #aggregateTrain} needs all of a round's results at once (robust aggregators). Such a strategy
   * holds one update per client in memory; the others fold results as they stream in.
   */
  default boolean needsAllResults() {
    return false;
  }

  /** The state to checkpoint; empty for a strategy that holds configuration only. */
  default StrategyState state() {
    return StrategyState.empty();
  }

  /**
   * Takes back a state saved by {@link #state()} of a strategy of the same kind and configuration.
   *
   * @throws IllegalArgumentException if the state does not fit this strategy
   */
  default void restore(StrategyState state) {
    if (!state.isEmpty()) {
      throw new IllegalArgumentException(getClass().getSimpleName() + " keeps no state, but was given " + state);
    }
  }

  /**
   * A short name for logs and error messages: the class's simple name by default; a wrapper names what it wraps, as
   * in {@code DpFixedClipping(FedAvg)}.
   */
  default String name() {
    return getClass().getSimpleName();
  }

  /**
   * Why the run must end before the round just configured, or empty to go on. The workflow asks after every
   * {@link #configureTrain}; given a reason, it sends nothing, keeps the current model and ends the run with the
   * reason logged. A strategy with a privacy budget stops this way before a round would exceed it. Wrappers pass on
   * their inner strategy's reason. Empty by default.
   */
  default Optional<String> stopReason() {
    return Optional.empty();
  }

  /** Chooses clients for federated evaluation; none by default. */
  default List<ClientTask<EvaluateInstructions>> configureEvaluate(RoundContext ctx, ModelWeights global,
      List<ClientInfo> available) {
    return List.of();
  }

  /**
   * Combines federated evaluation results: by default the example-weighted mean of loss and of every metric, with
   * the spread between clients ({@code clients}, {@code accuracy_std}, {@code accuracy_min}, {@code accuracy_max})
   * added, as {@link Evaluations#weightedMeanWithSpread} describes.
   */
  default Optional<EvaluateResult> aggregateEvaluate(RoundContext ctx, ResultStream<EvaluateResult> results) {
    return Evaluations.weightedMeanWithSpread(results);
  }

  /** Central evaluation of the global model on server-side data; empty when there is none. */
  default Optional<EvaluateResult> evaluate(RoundContext ctx, ModelWeights global) {
    return Optional.empty();
  }
}
