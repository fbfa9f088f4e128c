package dev.flotilla.workflow;

import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.workflow.RoundRecord;

/**
 * Told about every finished round, for example to append to {@code metrics.jsonl} or to save a checkpoint. Called
 * on the workflow's thread, which waits for it, once per round and in round order; an exception thrown here ends the
 * run.
 *
 * <p>A round is finished when its central evaluation is: with {@link SyncWorkflow}, that is while the next round's
 * clients are already training (see there), so the call may come some time after the round's model was made, but
 * always before the next round's results are aggregated. The time spent here delays that aggregation only, not the
 * clients.
 */
@FunctionalInterface
public interface RoundListener {
  /** Round {@code record.round()} is over and {@code model} is the global model after it. */
  void onRound(RoundRecord record, ModelWeights model);
}
