package dev.flotilla.workflow;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.aggregate.UpdateValidator;
import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.Metadata;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.AggregateResult;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientTask;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.strategy.StrategyState;
import dev.flotilla.core.tensor.ModelWeights;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The synchronous round loop: each round the strategy picks clients, they train from the global model, their
 * results are aggregated (as they arrive, within the round timeout) into the next global model, which is then
 * evaluated on clients and centrally. Each phase is one {@link Exchange}: requests carry the round as their group,
 * the version of the model they carry and the phase's deadline. A reply is checked by the strategy
 * ({@link Strategy#checkTrainResult}) before the strategy sees it, and its arrays are bounded before they are even
 * received ({@link Strategy#trainResultSpecs}, {@link ReplyAllowance}); the clients' training metrics
 * (example-weighted means) and the strategy's own metrics go into the round's {@link RoundRecord}. A client that
 * fails, times out or sends an invalid result becomes a {@link ClientFailure} handed to the strategy; nothing a client
 * does stops the run. After the last round every client is told to finish. {@link SyncSettings#maxConcurrentFit()}
 * caps how many clients train at once. A strategy may end the run early: when {@link Strategy#stopReason()} gives a
 * reason after {@code configureTrain} (a privacy budget that the round would exceed), nothing is sent, the reason is
 * logged and the run ends with the current model (the last round's record is still written).
 *
 * <p><b>Central evaluation overlaps the next round's training.</b> Once round r is aggregated (and evaluated on
 * clients, if the strategy asks for that), round r + 1's training requests go out, and only then does the workflow
 * run round r's central evaluation ({@link Strategy#evaluate}), while the clients train. Round r's record is made and
 * the listener told when that evaluation is over, before round r + 1's results are aggregated; so records come in
 * round order, and the models and metrics are those of a run without overlap. Round r + 1's replies that arrive
 * during the evaluation wait in their stream (in a deployment they hold upload slots, so the server's memory stays
 * bounded). The evaluation of the initial model (round 0) overlaps round 1 in the same way. The last round, and a
 * round after which fewer than {@link SyncSettings#minClients()} are connected, is evaluated without overlap.
 *
 * <p>The strategy is still called from one thread, the workflow's, one call at a time; only the order changes: round
 * r's {@code evaluate} comes after round r + 1's {@code configureTrain}. A strategy's central evaluation should
 * therefore depend on its arguments only (the model and the context of round r), not on state that
 * {@code configureTrain} changes.
 *
 * <p>The workflow only talks to clients through a {@link Fleet}, so it does not care how they are reached: the
 * {@link dev.flotilla.server.ClientRegistry} of a gRPC server in deployment, virtual clients in simulation. One
 * workflow runs once, on the caller's thread.
 */
public final class SyncWorkflow {
  private static final Logger log = LoggerFactory.getLogger(SyncWorkflow.class);
  private static final Duration WAIT_LOG_INTERVAL = Duration.ofSeconds(10);
  private static final long FINISH_TIMEOUT_SECONDS = 10;

  private final Exchange exchange;
  private final SyncSettings settings;
  private final TrainStage trainStage; // null: one training exchange, results streamed to the strategy

  /** A workflow that reaches clients through {@code fleet}, such as a server's {@code ClientRegistry}. */
  public SyncWorkflow(Fleet fleet, SyncSettings settings) {
    this(fleet, settings, null);
  }

  /**
   * A workflow whose rounds train through {@code trainStage} (such as secure aggregation), or as usual when it is
   * null.
   */
  public SyncWorkflow(Fleet fleet, SyncSettings settings, TrainStage trainStage) {
    this.exchange = new Exchange(fleet);
    this.settings = Objects.requireNonNull(settings, "settings");
    this.trainStage = trainStage;
  }

  /**
   * Runs every round, starting from {@code initial}, telling {@code listener} about each, then sends
   * {@link MessageTypes#FINISH} to all clients (also when the run ends with an exception).
   *
   * @throws InterruptedException if the thread is interrupted, while waiting for clients or for results
   */
  public RunSummary run(Strategy strategy, ModelWeights initial, RoundListener listener) throws InterruptedException {
    Objects.requireNonNull(listener, "listener");
    return loop(strategy, initial, settings.evaluateInitial() ? 0 : 1, List.of(),
        (record, model, state) -> listener.onRound(record, model), false);
  }

  /**
   * Goes on with a run from {@code from}: the rounds after {@code from.completedRound()} up to
   * {@link SyncSettings#rounds()}, starting from {@code from.model()}, with the strategy as the caller restored it.
   * The summary's records begin with {@code from.history()}. {@code listener} also gets the strategy's state after
   * each round, so that a run resumed from its checkpoints makes the rounds of a run that was never interrupted.
   * A new run that is checkpointed from its first round starts with
   * {@link #run(Strategy, ModelWeights, CheckpointListener)}.
   *
   * @throws InterruptedException if the thread is interrupted, while waiting for clients or for results
   */
  public RunSummary run(Strategy strategy, ResumePoint from, CheckpointListener listener)
      throws InterruptedException {
    Objects.requireNonNull(listener, "listener");
    return loop(strategy, from.model(), from.completedRound() + 1, from.history(), listener, true);
  }

  /** {@link #run(Strategy, ModelWeights, RoundListener)} with the strategy's state after each round as well. */
  public RunSummary run(Strategy strategy, ModelWeights initial, CheckpointListener listener)
      throws InterruptedException {
    Objects.requireNonNull(listener, "listener");
    return loop(strategy, initial, settings.evaluateInitial() ? 0 : 1, List.of(), listener, true);
  }

  private RunSummary loop(Strategy strategy, ModelWeights initial, int firstRound, List<RoundRecord> history,
      CheckpointListener listener, boolean withState) throws InterruptedException {
    log.info("starting {} rounds with {} (min clients {}, min results per round {}, round timeout {} s)",
        settings.rounds(), strategy.name(), settings.minClients(), settings.minFitClients(),
        settings.roundTimeout().toMillis() / 1000.0);
    if (firstRound > 1) {
      log.info("going on from round {} with the model and strategy state of round {}", firstRound, firstRound - 1);
    }
    List<RoundRecord> records = new ArrayList<>(history);
    ModelWeights global = initial;
    try {
      Trained unevaluated = null; // the last round, whose central evaluation has not run yet
      for (int round = firstRound; round <= settings.rounds(); round++) {
        if (unevaluated != null && exchange.fleet().size() < settings.minClients()) {
          finish(unevaluated, strategy, listener, records); // no overlap while the run waits for clients
          unevaluated = null;
        }
        awaitClients();
        if (unevaluated != null) {
          unevaluated.recorder().end();
        }
        RoundContext ctx = new RoundContext(round, settings.rounds(), settings.seed());
        RoundRecorder recorder = new RoundRecorder(round, exchange.fleet());
        if (round > 0) {
          List<ClientTask<TrainInstructions>> tasks = strategy.configureTrain(ctx, global, exchange.fleet().clients());
          Optional<String> stop = strategy.stopReason();
          if (stop.isPresent()) {
            log.warn("stopping before round {} of {}: {}", round, settings.rounds(), stop.get());
            break;
          }
          Trained previous = unevaluated;
          global = train(ctx, strategy, global, tasks, recorder,
              () -> {
                if (previous != null) {
                  finish(previous, strategy, listener, records);
                }
              });
        }
        StrategyState state = withState ? strategy.state() : StrategyState.empty(); // before the next configureTrain
        evaluateOnClients(ctx, strategy, global, recorder);
        unevaluated = new Trained(ctx, global, state, recorder);
      }
      if (unevaluated != null) {
        finish(unevaluated, strategy, listener, records);
      }
    } catch (FlotillaException e) {
      if (Thread.currentThread().isInterrupted()) {
        InterruptedException ie = new InterruptedException("the run was interrupted");
        ie.initCause(e);
        throw ie;
      }
      throw e;
    } finally {
      finishClients();
    }
    return new RunSummary(global, records, exchange.lateReplies());
  }

  /** Trains round {@code ctx.round()} on {@code tasks}; {@code whileClientsTrain} runs once the requests are out. */
  private ModelWeights train(RoundContext ctx, Strategy strategy, ModelWeights global,
      List<ClientTask<TrainInstructions>> tasks, RoundRecorder recorder, Runnable whileClientsTrain) {
    if (trainStage != null) {
      TrainStage.Outcome outcome = trainStage.train(exchange, settings, ctx, strategy, global, tasks,
          whileClientsTrain);
      recorder.trained(outcome.delivered(), outcome.failed());
      recorder.metrics(outcome.clientMetrics());
      recorder.metrics(outcome.aggregate().metrics());
      return accept(ctx.round(), global, outcome.aggregate().model(), outcome.delivered());
    }
    ExampleWeightedMetrics clientMetrics = new ExampleWeightedMetrics();
    ReplyConverter<TrainResult> convert = (clientId, m) -> {
      TrainResult r = MessageTypes.toTrainResult(m);
      strategy.checkTrainResult(global, r).ifPresent(p -> {
        throw new FlotillaException(p);
      });
      clientMetrics.add(r.metrics(), r.numExamples());
      return r;
    };
    Metadata metadata = Metadata.of(ctx.round() + "/train", ctx.round() - 1, 0);
    AggregateResult aggregate;
    int delivered;
    int failed;
    try (ReplyStream<TrainResult> results = exchange.send("round " + ctx.round() + " training",
        requests(tasks, t -> MessageTypes.train(t).withMetadata(metadata), t -> trainAllowance(strategy, global, t)),
        settings.roundTimeout(), settings.maxConcurrentFit(), convert)) {
      whileClientsTrain.run();
      aggregate = strategy.aggregateTrain(ctx, global, results);
      delivered = results.delivered();
      failed = results.failures().size();
    }
    recorder.trained(delivered, failed);
    recorder.metrics(clientMetrics.mean());
    recorder.metrics(aggregate.metrics());
    return accept(ctx.round(), global, aggregate.model(), delivered);
  }

  private ModelWeights accept(int round, ModelWeights global, Optional<ModelWeights> proposed, int results) {
    if (results < settings.minFitClients()) {
      log.warn("round {}: only {} results of the {} required; keeping the current model", round, results,
          settings.minFitClients());
      return global;
    }
    if (proposed.isEmpty()) {
      log.warn("round {}: the strategy made no model from {} results; keeping the current model", round, results);
      return global;
    }
    Optional<String> problem = UpdateValidator.problem(global.specs(), proposed.get());
    if (problem.isPresent()) {
      log.error("round {}: the aggregated model is unusable ({}); keeping the current model", round, problem.get());
      return global;
    }
    return proposed.get();
  }

  /** Round {@code trained}'s central evaluation, then its record, which goes to {@code records} and the listener. */
  private static void finish(Trained trained, Strategy strategy, CheckpointListener listener,
      List<RoundRecord> records) {
    trained.recorder().central(strategy.evaluate(trained.ctx(), trained.model()));
    RoundRecord record = trained.recorder().record();
    log.info("round {}/{}: {}", trained.ctx().round(), trained.ctx().totalRounds(), RoundRecorder.describe(record));
    records.add(record);
    listener.onRound(record, trained.model(), trained.state());
  }

  private void evaluateOnClients(RoundContext ctx, Strategy strategy, ModelWeights global, RoundRecorder recorder) {
    List<ClientTask<EvaluateInstructions>> tasks = strategy.configureEvaluate(ctx, global, exchange.fleet().clients());
    if (tasks.isEmpty()) {
      return;
    }
    Metadata metadata = Metadata.of(ctx.round() + "/evaluate", ctx.round(), 0);
    try (ReplyStream<EvaluateResult> results = exchange.send("round " + ctx.round() + " evaluation",
        requests(tasks, t -> MessageTypes.evaluate(t).withMetadata(metadata), t -> ReplyAllowance.noArrays()),
        settings.roundTimeout(), (id, m) -> {
          EvaluateResult r = MessageTypes.toEvaluateResult(m);
          if (!Double.isFinite(r.loss())) {
            throw new FlotillaException("the evaluation loss is not finite: " + r.loss());
          }
          return r;
        })) {
      recorder.federated(strategy.aggregateEvaluate(ctx, results));
    }
  }

  /** A round that is trained (and evaluated on clients), with its model; its central evaluation is still to run. */
  private record Trained(RoundContext ctx, ModelWeights model, StrategyState state, RoundRecorder recorder) {}

  private static <I> List<ClientRequest> requests(List<ClientTask<I>> tasks, Function<I, Message> toMessage,
      Function<I, ReplyAllowance> allowance) {
    List<ClientRequest> out = new ArrayList<>(tasks.size());
    for (ClientTask<I> task : tasks) {
      out.add(new ClientRequest(task.clientId(), toMessage.apply(task.instructions()),
          allowance.apply(task.instructions())));
    }
    return out;
  }

  /**
   * What a training reply may carry: the strategy's exact arrays, or else (compressed, masked updates) at most the
   * bytes of the float32 global model plus a margin for a codec's own headers; lent if the strategy reads results
   * only while iterating them ({@link Strategy#readsResultArraysOnlyWhileIterating}).
   */
  private static ReplyAllowance trainAllowance(Strategy strategy, ModelWeights global, TrainInstructions sent) {
    ReplyAllowance a = strategy.trainResultSpecs(global).map(ReplyAllowance::exactly)
        .orElseGet(() -> ReplyAllowance.upTo(global.byteSize() + global.byteSize() / 64 + (64 << 10)));
    return strategy.readsResultArraysOnlyWhileIterating() ? a.withLentArrays() : a;
  }

  private void awaitClients() throws InterruptedException {
    while (!exchange.fleet().awaitClients(settings.minClients(), WAIT_LOG_INTERVAL)) {
      log.info("waiting for clients: {} of {} connected", exchange.fleet().size(), settings.minClients());
    }
  }

  private void finishClients() {
    try {
      exchange.fleet().finish().get(FINISH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("could not tell every client to finish: {}", e.toString());
    }
  }
}
