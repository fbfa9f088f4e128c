package dev.flotilla.workflow;

import dev.flotilla.core.tensor.ModelWeights;
import java.util.List;
import java.util.Objects;

/**
 * Where a run goes on after a restart: the last round it completed, the global model after that round and the
 * records of the rounds so far (for {@link AsyncWorkflow}, rounds are model versions). The strategy's state is
 * restored on the strategy itself
 * ({@link dev.flotilla.core.strategy.Strategy#restore}) before the run goes on.
 *
 * @param completedRound the last round whose record is in {@code history}; the run goes on with the next one
 * @param model          the global model after {@code completedRound}
 * @param history        the records of the completed rounds, in round order, ending with {@code completedRound}
 */
public record ResumePoint(int completedRound, ModelWeights model, List<RoundRecord> history) {
  public ResumePoint {
    if (completedRound < 0) {
      throw new IllegalArgumentException("completedRound must be >= 0, got " + completedRound);
    }
    Objects.requireNonNull(model, "model");
    history = List.copyOf(history);
    if (!history.isEmpty() && history.get(history.size() - 1).round() != completedRound) {
      throw new IllegalArgumentException("the history ends with round " + history.get(history.size() - 1).round()
          + ", not with the completed round " + completedRound);
    }
  }
}
