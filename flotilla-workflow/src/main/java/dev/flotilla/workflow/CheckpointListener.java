package dev.flotilla.workflow;

import dev.flotilla.core.strategy.StrategyState;
import dev.flotilla.core.tensor.ModelWeights;

/**
 * A {@link RoundListener} that also gets the strategy's state, for a checkpoint from which a run can go on
 * ({@link SyncWorkflow#run(dev.flotilla.core.strategy.Strategy, ResumePoint, CheckpointListener)}, and
 * {@link AsyncWorkflow#run(dev.flotilla.core.strategy.Strategy, ResumePoint, CheckpointListener)}, whose rounds are
 * model versions). Called as a {@code RoundListener} is: on the workflow's thread, once per round, in round order.
 */
@FunctionalInterface
public interface CheckpointListener {
  /**
   * Round {@code record.round()} is over, {@code model} is the global model after it and {@code state} the
   * strategy's state as it was right after that round's aggregation, before the next round was configured: what
   * {@link dev.flotilla.core.strategy.Strategy#restore} takes to make the next rounds again. The state's arrays may be
   * the strategy's own buffers, valid during this call only: copy or write them before returning.
   */
  void onRound(RoundRecord record, ModelWeights model, StrategyState state);
}
