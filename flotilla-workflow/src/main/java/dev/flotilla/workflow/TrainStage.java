package dev.flotilla.workflow;

import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.strategy.AggregateResult;
import dev.flotilla.core.strategy.ClientTask;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.tensor.ModelWeights;
import java.util.List;
import java.util.Objects;

/**
 * A round's training as a protocol of its own, for {@link SyncWorkflow}: given the tasks the strategy configured, it
 * exchanges whatever messages it needs with the clients and returns what the strategy made of the results. Secure
 * aggregation is such a stage ({@code dev.flotilla.workflow.secagg.SecAggPlusStage}): several exchanges per round,
 * and the strategy sees only the sum. Without a stage the workflow sends the tasks and streams the results to the
 * strategy itself.
 *
 * <p>Called from the workflow's thread, one round at a time.
 */
public interface TrainStage {
  /**
   * Runs round {@code ctx.round()}'s training of {@code tasks} from {@code global} over {@code exchange}, with the
   * phases' timeout and concurrency of {@code settings}, and calls {@code whileClientsTrain} once, when the clients
   * train (the workflow evaluates the previous round then). A round that cannot be aggregated returns an outcome
   * without a model; nothing a client does may throw out of here.
   */
  Outcome train(Exchange exchange, SyncSettings settings, RoundContext ctx, Strategy strategy, ModelWeights global,
      List<ClientTask<TrainInstructions>> tasks, Runnable whileClientsTrain);

  /**
   * What a stage made of a round.
   *
   * @param aggregate     the strategy's result (or none)
   * @param delivered     the clients whose results the aggregate holds
   * @param failed        the clients that failed at any step
   * @param clientMetrics the clients' training metrics, averaged, for the round's record
   */
  record Outcome(AggregateResult aggregate, int delivered, int failed, Metrics clientMetrics) {
    public Outcome {
      Objects.requireNonNull(aggregate, "aggregate");
      Objects.requireNonNull(clientMetrics, "clientMetrics");
    }
  }
}
