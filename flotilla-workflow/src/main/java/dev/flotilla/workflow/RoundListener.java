package dev.flotilla.workflow;

import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.workflow.RoundRecord;

/**
 * Told about every finished round, for example to append to {@code metrics.jsonl} or to save a checkpoint. Called
 * on the workflow's thread, which waits for it; an exception thrown here ends the run.
 */
@FunctionalInterface
public interface RoundListener {
  /** Round {@code record.round()} is over and {@code model} is the global model after it. */
  void onRound(RoundRecord record, ModelWeights model);
}
