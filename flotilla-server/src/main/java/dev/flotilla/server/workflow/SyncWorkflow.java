package dev.flotilla.server.workflow;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.aggregate.UpdateValidator;
import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientTask;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.server.ClientProxy;
import dev.flotilla.server.Fleet;
import dev.flotilla.server.RoundRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The synchronous round loop: each round the strategy picks clients, they train from the global model, their
 * results are aggregated (as they arrive, within the round timeout) into the next global model, which is then
 * evaluated centrally and on clients. A client that fails, times out or sends an invalid result becomes a
 * {@link ClientFailure} handed to the strategy; nothing a client does stops the run. After the last round every
 * client is told to finish.
 *
 * <p>The workflow only talks to clients through a {@link Fleet}, so it does not care how they are reached: the
 * {@link dev.flotilla.server.ClientRegistry} of a gRPC server in deployment, virtual clients in simulation. One
 * workflow runs once, on the caller's thread.
 */
public final class SyncWorkflow {
  private static final Logger log = LoggerFactory.getLogger(SyncWorkflow.class);
  private static final Duration WAIT_LOG_INTERVAL = Duration.ofSeconds(10);
  private static final long FINISH_TIMEOUT_SECONDS = 10;

  private final Fleet fleet;
  private final SyncSettings settings;
  private final AtomicInteger late = new AtomicInteger();

  /** A workflow that reaches clients through {@code fleet}, such as a server's {@code ClientRegistry}. */
  public SyncWorkflow(Fleet fleet, SyncSettings settings) {
    this.fleet = Objects.requireNonNull(fleet, "fleet");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /**
   * Runs every round, starting from {@code initial}, telling {@code listener} about each, then sends
   * {@link MessageTypes#FINISH} to all clients (also when the run ends with an exception).
   *
   * @throws InterruptedException if the thread is interrupted, while waiting for clients or for results
   */
  public RunSummary run(Strategy strategy, ModelWeights initial, RoundListener listener) throws InterruptedException {
    log.info("starting {} rounds with {} (min clients {}, min results per round {}, round timeout {} s)",
        settings.rounds(), strategy.getClass().getSimpleName(), settings.minClients(), settings.minFitClients(),
        settings.roundTimeout().toMillis() / 1000.0);
    List<RoundRecord> records = new ArrayList<>();
    ModelWeights global = initial;
    try {
      for (int round = settings.evaluateInitial() ? 0 : 1; round <= settings.rounds(); round++) {
        awaitClients();
        RoundContext ctx = new RoundContext(round, settings.rounds(), settings.seed());
        RoundRecorder recorder = new RoundRecorder(round, fleet);
        global = round == 0 ? global : train(ctx, strategy, global, recorder);
        evaluate(ctx, strategy, global, recorder);
        RoundRecord record = recorder.record();
        log.info("round {}/{}: {}", round, settings.rounds(), RoundRecorder.describe(record));
        records.add(record);
        listener.onRound(record, global);
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
    return new RunSummary(global, records, late.get());
  }

  private ModelWeights train(RoundContext ctx, Strategy strategy, ModelWeights global, RoundRecorder recorder) {
    List<TensorSpec> specs = global.specs();
    Function<Message, TrainResult> convert = m -> {
      TrainResult r = MessageTypes.toTrainResult(m);
      UpdateValidator.problem(specs, r.weights()).ifPresent(p -> {
        throw new FlotillaException(p);
      });
      return r;
    };
    List<ClientTask<TrainInstructions>> tasks = strategy.configureTrain(ctx, global, fleet.clients());
    RoundStream<TrainResult> results = dispatch("round " + ctx.round() + " training", tasks, MessageTypes::train,
        convert);
    Optional<ModelWeights> proposed;
    try {
      proposed = strategy.aggregateTrain(ctx, global, results);
    } finally {
      results.close();
    }
    recorder.trained(results.delivered(), results.failures().size());
    return accept(ctx.round(), global, proposed, results.delivered());
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

  private void evaluate(RoundContext ctx, Strategy strategy, ModelWeights global, RoundRecorder recorder) {
    recorder.central(strategy.evaluate(ctx, global));
    List<ClientTask<EvaluateInstructions>> tasks = strategy.configureEvaluate(ctx, global, fleet.clients());
    if (tasks.isEmpty()) {
      return;
    }
    RoundStream<EvaluateResult> results = dispatch("round " + ctx.round() + " evaluation", tasks,
        MessageTypes::evaluate, m -> {
          EvaluateResult r = MessageTypes.toEvaluateResult(m);
          if (!Double.isFinite(r.loss())) {
            throw new FlotillaException("the evaluation loss is not finite: " + r.loss());
          }
          return r;
        });
    try {
      recorder.federated(strategy.aggregateEvaluate(ctx, results));
    } finally {
      results.close();
    }
  }

  /** Sends each task's message to its client and returns the stream of their replies. */
  private <I, R> RoundStream<R> dispatch(String phase, List<ClientTask<I>> tasks, Function<I, Message> toMessage,
      Function<Message, R> convert) {
    RoundStream<R> stream = new RoundStream<>(phase, settings.roundTimeout(), convert, late);
    for (ClientTask<I> task : tasks) {
      Optional<ClientProxy> client = fleet.client(task.clientId());
      if (client.isEmpty()) {
        stream.fail(task.clientId(), ClientFailure.Kind.DISCONNECTED, "not connected when the round started");
      } else {
        stream.expect(task.clientId(), client.get().request(toMessage.apply(task.instructions())));
      }
    }
    return stream;
  }

  private void awaitClients() throws InterruptedException {
    while (!fleet.awaitClients(settings.minClients(), WAIT_LOG_INTERVAL)) {
      log.info("waiting for clients: {} of {} connected", fleet.size(), settings.minClients());
    }
  }

  private void finishClients() {
    try {
      fleet.finish().get(FINISH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("could not tell every client to finish: {}", e.toString());
    }
  }
}
