package dev.flotilla.workflow;

import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.workflow.RoundRecord;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of a run.
 *
 * @param finalModel  the global model after the last round
 * @param records     one record per round, round 0 (the initial evaluation) first when it ran
 * @param lateResults results that arrived after their round's deadline and were dropped
 */
public record RunSummary(ModelWeights finalModel, List<RoundRecord> records, int lateResults) {
  public RunSummary {
    Objects.requireNonNull(finalModel, "finalModel");
    records = List.copyOf(records);
  }
}
