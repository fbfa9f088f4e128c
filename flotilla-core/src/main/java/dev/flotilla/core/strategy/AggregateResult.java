package dev.flotilla.core.strategy;

import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.tensor.ModelWeights;
import java.util.Objects;
import java.util.Optional;

/**
 * What a strategy made of a round's training results: the next global model, or none to keep the current one, and
 * metrics of its own (such as a server learning rate, a clipping norm or the number of results it discarded), which
 * reach {@code metrics.jsonl} and the round listener under their names.
 *
 * @param model   the next global model, or empty to keep the current one
 * @param metrics the strategy's metrics for the round
 */
public record AggregateResult(Optional<ModelWeights> model, Metrics metrics) {
  public AggregateResult {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(metrics, "metrics");
  }

  /** A new model without metrics. */
  public static AggregateResult of(ModelWeights model) {
    return new AggregateResult(Optional.of(model), Metrics.empty());
  }

  /** No new model: the current one is kept. */
  public static AggregateResult none() {
    return new AggregateResult(Optional.empty(), Metrics.empty());
  }

  /** The same outcome with {@code more} metrics added. */
  public AggregateResult withMetrics(Metrics more) {
    return new AggregateResult(model, metrics.merge(more));
  }
}
