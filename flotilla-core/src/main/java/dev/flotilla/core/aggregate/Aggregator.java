package dev.flotilla.core.aggregate;

import dev.flotilla.core.tensor.ModelWeights;

/**
 * Folds weighted updates one at a time into a running result, so that memory is that of one model however many
 * updates are folded. Not thread-safe: fold from one thread, or synchronise.
 */
public interface Aggregator {
  /** Adds {@code update} with {@code weight} (&gt; 0). Its specs must match the aggregator's. */
  void fold(ModelWeights update, double weight);

  /** Number of updates folded so far. */
  int count();

  /** The aggregate of what was folded. Fails when nothing was folded. */
  ModelWeights result();
}
