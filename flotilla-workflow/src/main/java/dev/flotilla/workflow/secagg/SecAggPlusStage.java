package dev.flotilla.workflow.secagg;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.Metadata;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.secagg.SecAggMessages;
import dev.flotilla.core.secagg.SecAggSettings;
import dev.flotilla.core.strategy.AggregateResult;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientResult;
import dev.flotilla.core.strategy.ClientTask;
import dev.flotilla.core.strategy.ResultStream;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.workflow.Exchange;
import dev.flotilla.workflow.SyncSettings;
import dev.flotilla.workflow.TrainStage;
import java.util.Collections;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secure aggregation, SecAgg+ (Bell et al., CCS 2020), as a {@link TrainStage}: the server learns the weighted sum of
 * the round's updates, never one client's. A round is four exchanges (see {@link SecAggMessages}; the client side is
 * {@link dev.flotilla.core.secagg.SecAggPlusMod}): the sampled clients send two public keys; each sends its ring
 * neighbours encrypted Shamir shares of its secrets; each trains and sends its masked, quantised update (the sum of
 * the masks of all clients that deliver cancels out, except the self masks and the masks shared with clients that
 * dropped in between); each reveals the shares the server needs to remove those. The server sums the masked vectors
 * as they arrive (memory for one model), reconstructs the remaining masks, removes them and de-quantises.
 *
 * <p>The strategy then sees the mean update (weighted by examples, or unweighted for central DP) as one result per
 * delivering client, all equal to {@code global + mean}: any strategy whose aggregate is a weighted average of its
 * results, and the central DP wrappers around one, then aggregate the mean (the DP wrappers' sum of the copies is the
 * sum of the clients' updates, clipped on the clients). Strategies that need the individual results
 * ({@link Strategy#needsAllResults()}) are refused.
 *
 * <p>Clients may drop at any stage. While at least the threshold of clients survive each stage, and each client's
 * secrets can be reconstructed from its surviving neighbours, the sum is exact up to the quantisation error. Otherwise
 * the round fails closed: no model update, a log line saying why, and the run goes on. Training metrics travel in the
 * clear and are averaged unweighted; the number of examples does not leave a client.
 *
 * <p>Called from the workflow's thread; holds configuration only.
 */
public final class SecAggPlusStage implements TrainStage {
  private static final Logger log = LoggerFactory.getLogger(SecAggPlusStage.class);
  /** Metric: the clients whose updates the round's sum holds. */
  public static final String CLIENTS = "secagg_clients";
  /** Metric: the sampled clients that dropped at some stage. */
  public static final String DROPPED = "secagg_dropped";
  /** Metric: 1 when the round failed closed. */
  public static final String FAILED = "secagg_failed";
  /** The id of the result through which the sum reaches the strategy. */
  public static final String SUM_RESULT = "secagg+ sum";

  private final SecAggSettings settings;
  private final Duration stageTimeout; // null: the round timeout

  /** A stage running SecAgg+ with {@code settings}, each exchange bounded by the round timeout. */
  public SecAggPlusStage(SecAggSettings settings) {
    this(settings, null);
  }

  /**
   * A stage running SecAgg+ with {@code settings}, whose exchanges without training (keys, shares, unmasking) each
   * wait at most {@code stageTimeout} for the clients' answers (null: the round timeout), so that a client that goes
   * quiet in one of them costs that much, not a whole round's time; the training exchange keeps the round timeout.
   *
   * @throws IllegalArgumentException if {@code stageTimeout} is not positive
   */
  public SecAggPlusStage(SecAggSettings settings, Duration stageTimeout) {
    this.settings = Objects.requireNonNull(settings, "settings");
    if (stageTimeout != null && (stageTimeout.isZero() || stageTimeout.isNegative())) {
      throw new IllegalArgumentException("the secure aggregation stage timeout must be positive, got "
          + stageTimeout);
    }
    this.stageTimeout = stageTimeout;
  }

  /** The settings. */
  public SecAggSettings settings() {
    return settings;
  }

  @Override
  public Outcome train(Exchange exchange, SyncSettings sync, RoundContext ctx, Strategy strategy, ModelWeights global,
      List<ClientTask<TrainInstructions>> tasks, Runnable whileClientsTrain) {
    if (strategy.needsAllResults()) {
      throw new FlotillaException("secure aggregation cannot serve " + strategy.name()
          + ", which needs every client's result; use a weighted-average strategy");
    }
    SecAggRound round = new SecAggRound(exchange, sync, stageTimeout == null ? sync.roundTimeout() : stageTimeout,
        settings, ctx, global, tasks, whileClientsTrain);
    SecAggRound.Sum sum;
    try {
      sum = round.run();
    } catch (SecAggRound.FailedClosed | IllegalArgumentException | IllegalStateException e) {
      // anything else a client's data could make the unmasking throw fails the round closed, not the server
      round.whileClientsTrainOnce();
      log.warn("round {}: secure aggregation failed closed: {}; keeping the current model", ctx.round(),
          e.getMessage());
      return new Outcome(AggregateResult.none().withMetrics(Metrics.of(FAILED, 1, CLIENTS, 0,
          DROPPED, tasks.size())), 0, tasks.size(), round.clientMetrics());
    }
    int n = sum.clients();
    long examples = settings.weighted() ? Math.max(1, Math.round(sum.weight() * settings.maxWeight() / n)) : 1;
    TrainResult mean = new TrainResult(sum.model(), examples, Metrics.empty());
    List<ClientResult<TrainResult>> copies = Collections.nCopies(n, new ClientResult<>(SUM_RESULT, mean));
    List<ClientFailure> failures = round.failures();
    AggregateResult aggregate = strategy.aggregateTrain(ctx, global, ResultStream.of(copies, failures));
    log.info("round {}: secure aggregation of {} clients ({} dropped)", ctx.round(), n, tasks.size() - n);
    return new Outcome(aggregate.withMetrics(Metrics.of(FAILED, 0, CLIENTS, n, DROPPED, tasks.size() - n)), n,
        tasks.size() - n, round.clientMetrics());
  }

  /** A message of {@code type} for round {@code ctx}, with {@code config} and {@code arrays}. */
  static Message message(String type, RoundContext ctx, String phase, Config config,
      ModelWeights arrays) {
    return new Message(type, Metadata.of(ctx.round() + "/" + phase, ctx.round() - 1, 0),
        config.with(SecAggMessages.ROUND, ctx.round()), Metrics.empty(), arrays, null);
  }

  @Override
  public String toString() {
    return "SecAgg+ (" + settings.numShares() + " shares, threshold " + settings.threshold() + ")";
  }
}
