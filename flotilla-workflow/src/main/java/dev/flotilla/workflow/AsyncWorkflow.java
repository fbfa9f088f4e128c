package dev.flotilla.workflow;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.aggregate.UpdateValidator;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.Metadata;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.AggregateResult;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.core.strategy.ClientTask;
import dev.flotilla.core.strategy.ResultStream;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.strategy.StrategyState;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.TensorSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffered asynchronous federated learning (FedBuff: Nguyen et al., "Federated Learning with Buffered Asynchronous
 * Aggregation", AISTATS 2022): clients train continuously and a slow or silent client stalls no one.
 *
 * <p>The workflow keeps {@link AsyncSettings#concurrency()} clients training at once, each on the global model of
 * the moment, tagged with its version ({@link Metadata#modelVersion()}); whenever one answers (or fails), an idle
 * client chosen at random is given work. A result whose model version is {@code τ} versions behind the current one
 * is refused if {@code τ > maxStaleness} (counted as {@code stale_refused}); otherwise its update against the version
 * its client started from goes into an {@link UpdateBuffer} with weight {@code s(τ)} ({@link Staleness}). Every
 * {@link AsyncSettings#bufferSize()} accepted results, the buffer goes to the strategy's {@code aggregateTrain} and
 * its model becomes the next version. Each version counts as a round: it is evaluated centrally and recorded
 * ({@code clients_ok} = results applied, {@code clients_failed} = failures since the last version, and
 * {@code staleness_mean}, {@code staleness_max}, {@code stale_refused}; {@code sim_seconds} on a simulated clock).
 *
 * <p>Strategies: the strategy is asked for a version's training configuration once per version
 * ({@code configureTrain} over the clients connected; the clients it samples are ignored, the workflow picks who
 * trains), so a server optimiser (FedAvgM, FedAdam) makes one step per version and central differential privacy counts
 * one step of its accountant per applied update, at the sampling rate of its sample. Strategies that need every
 * result of a round at once (robust aggregators) or take other arrays than whole models (compressed or masked
 * updates) are refused by {@link #checkSupported}. Federated evaluation is not run.
 *
 * <p>Clocks: on real time (a deployment) results are taken as they arrive. Given {@link TaskTimes} (a simulation),
 * the workflow runs an event loop on a simulated clock: each task's finish time is known when it is sent and results
 * are taken in that order, whatever order worker threads finish them in, so a run repeats exactly for a seed; nothing
 * sleeps.
 *
 * <p>A client that disconnects or fails mid-training changes nothing but {@code clients_failed}: its task is
 * dropped and another client takes its place. When {@code max(100, 10 × concurrency)} tasks in a row fail or come too
 * late, no version can be made and the run ends with a {@link FlotillaException}. One workflow runs once, on the
 * caller's thread.
 *
 * <p>Checkpoints and resume: {@link #run(Strategy, ModelWeights, CheckpointListener)} hands each new version's model
 * and the strategy's state to a {@link CheckpointListener}, in version order, on the caller's thread; after a crash
 * {@link #run(Strategy, ResumePoint, CheckpointListener)} goes on from the version after the last one stored, with its
 * model, the strategy's restored state and the records so far. Tasks in flight at the crash are lost: their clients
 * get new tasks on the restored model.
 */
public final class AsyncWorkflow {
  private static final Logger log = LoggerFactory.getLogger(AsyncWorkflow.class);
  private static final Duration WAIT_LOG_INTERVAL = Duration.ofSeconds(10);
  private static final long FINISH_TIMEOUT_SECONDS = 10;

  private final Fleet fleet;
  private final AsyncSettings settings;
  private final TaskTimes times;
  private int failedTotal;
  private int refusedTotal;
  private AsyncTasks running;

  /** A workflow on real time over {@code fleet}, such as a server's {@code ClientRegistry}. */
  public AsyncWorkflow(Fleet fleet, AsyncSettings settings) {
    this(fleet, settings, null);
  }

  /** A workflow over {@code fleet} on the simulated clock of {@code times}, or on real time if it is null. */
  public AsyncWorkflow(Fleet fleet, AsyncSettings settings, TaskTimes times) {
    this.fleet = Objects.requireNonNull(fleet, "fleet");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.times = times;
  }

  /**
   * Checks that {@code strategy} can aggregate asynchronously.
   *
   * @throws IllegalArgumentException naming the strategy if it needs every result of a round at once, or takes
   *                                  results other than whole float32 models
   */
  public static void checkSupported(Strategy strategy, ModelWeights initial) {
    String name = strategy.name();
    if (strategy.needsAllResults()) {
      throw new IllegalArgumentException(name + " needs every result of a round at once (a robust aggregator);"
          + " the asynchronous workflow applies every K results as they come and cannot run it");
    }
    if (strategy.trainResultSpecs(initial).isEmpty()) {
      throw new IllegalArgumentException(name + " takes compressed or masked updates; the asynchronous workflow"
          + " needs each result as a model, to subtract the version its client started from");
    }
  }

  /**
   * The clients whose training task is out now: sent, its outcome not yet taken. Called from a listener (on the
   * workflow's thread) while it is told of a version, these are the clients whose work is not in that version or an
   * earlier one, and would be lost if the run stopped there: a simulation's checkpoint takes their own state from
   * before that task. Empty when no run is going. Not thread-safe: call it on the workflow's thread only.
   */
  public Set<String> clientsTraining() {
    AsyncTasks tasks = running;
    return tasks == null ? Set.of() : tasks.busyClients();
  }

  /** Results that failed (disconnect, error, timeout, rejected) over the whole run. */
  public int failedResults() {
    return failedTotal;
  }

  /** Results refused over the whole run for being more than {@code maxStaleness} versions old. */
  public int refusedStale() {
    return refusedTotal;
  }

  /**
   * Makes {@link AsyncSettings#versions()} model versions from {@code initial}, telling {@code listener} about each,
   * then cancels the tasks still out and sends {@link MessageTypes#FINISH} to all clients.
   *
   * @throws IllegalArgumentException if the strategy cannot run asynchronously ({@link #checkSupported})
   * @throws InterruptedException     if the thread is interrupted while waiting for clients or results
   */
  public RunSummary run(Strategy strategy, ModelWeights initial, RoundListener listener) throws InterruptedException {
    Objects.requireNonNull(listener, "listener");
    return loop(strategy, initial, 0, List.of(), (record, model, state) -> listener.onRound(record, model), false);
  }

  /**
   * {@link #run(Strategy, ModelWeights, RoundListener)} with the strategy's state after each version as well, for a
   * checkpoint of every version from which {@link #run(Strategy, ResumePoint, CheckpointListener)} goes on.
   */
  public RunSummary run(Strategy strategy, ModelWeights initial, CheckpointListener listener)
      throws InterruptedException {
    Objects.requireNonNull(listener, "listener");
    return loop(strategy, initial, 0, List.of(), listener, true);
  }

  /**
   * Goes on with a run from {@code from}: the versions after {@code from.completedRound()} up to
   * {@link AsyncSettings#versions()}, starting from {@code from.model()}, with the strategy as the caller restored it
   * ({@link Strategy#restore}). The summary's records begin with {@code from.history()}; {@code listener} gets each
   * new version with the strategy's state, in version order, on this thread.
   *
   * <p>Work that was in flight when the earlier run stopped is lost: results computed on an older version are not
   * kept anywhere, so every client gets a new task on the restored model. So, unlike a synchronous run, a resumed
   * asynchronous run is not the run that was never interrupted, only its continuation from the last stored version:
   * the version numbers, history and strategy state (a server optimiser's moments and step, a privacy accountant) go
   * on where they were.
   *
   * @throws IllegalArgumentException if the strategy cannot run asynchronously ({@link #checkSupported})
   * @throws InterruptedException     if the thread is interrupted while waiting for clients or results
   */
  public RunSummary run(Strategy strategy, ResumePoint from, CheckpointListener listener)
      throws InterruptedException {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(listener, "listener");
    return loop(strategy, from.model(), from.completedRound(), from.history(), listener, true);
  }

  private RunSummary loop(Strategy strategy, ModelWeights initial, int completed, List<RoundRecord> history,
      CheckpointListener listener, boolean withState) throws InterruptedException {
    checkSupported(strategy, initial);
    log.info("starting {} asynchronous versions with {} ({} clients at once, buffer {}, staleness {}, at most {}"
            + " versions old, task timeout {} s{})", settings.versions(), strategy.name(),
        settings.concurrency(), settings.bufferSize(), settings.staleness().spec(), settings.maxStaleness(),
        settings.taskTimeout().toMillis() / 1000.0, times == null ? "" : ", simulated clock");
    boolean resumed = !history.isEmpty() || completed > 0;
    if (resumed) {
      log.info("going on from version {} with the model and strategy state of version {}; work in flight when the"
          + " run stopped is lost", completed + 1, completed);
    }
    Map<Long, ModelWeights> models = new HashMap<>();
    AsyncTasks tasks = new AsyncTasks((task, m) -> convert(strategy, models.get(task.version()), m),
        times != null);
    running = tasks;
    List<RoundRecord> records = new ArrayList<>(history);
    ModelWeights global = initial;
    try {
      awaitClients();
      if (!resumed && settings.evaluateInitial()) {
        RoundRecorder recorder = new RoundRecorder(0, fleet);
        recorder.central(strategy.evaluate(new RoundContext(0, settings.versions(), settings.seed()), initial));
        if (times != null) {
          recorder.metrics(Metrics.of("sim_seconds", 0));
        }
        emit(recorder.record(), initial, withState ? strategy.state() : StrategyState.empty(), listener, records);
      }
      global = train(strategy, initial, completed, simSeconds(history), tasks, models, listener, withState, records);
    } catch (FlotillaException e) {
      if (Thread.currentThread().isInterrupted()) {
        InterruptedException ie = new InterruptedException("the run was interrupted");
        ie.initCause(e);
        throw ie;
      }
      throw e;
    } finally {
      tasks.cancelAll();
      running = null;
      finishClients();
    }
    return new RunSummary(global, records, tasks.lateReplies());
  }

  /** The simulated clock at the end of {@code history}: its last {@code sim_seconds}, or 0. */
  private static double simSeconds(List<RoundRecord> history) {
    if (history.isEmpty()) {
      return 0;
    }
    Double last = history.get(history.size() - 1).metrics().values().get("sim_seconds");
    return last == null ? 0 : last;
  }

  private ModelWeights train(Strategy strategy, ModelWeights initial, long completed, double simStart,
      AsyncTasks tasks, Map<Long, ModelWeights> models, CheckpointListener listener, boolean withState,
      List<RoundRecord> records) throws InterruptedException {
    // a resumed run draws its clients from another sequence than the one it drew before the stop
    Random choice = new Random(settings.seed() + 0x9E3779B97F4A7C15L * completed);
    UpdateBuffer buffer = new UpdateBuffer();
    ExampleWeightedMetrics clientMetrics = new ExampleWeightedMetrics();
    ModelWeights global = initial;
    long version = completed;
    models.put(version, global);
    double now = simStart; // simulated seconds
    int failed = 0;
    int refused = 0;
    int unusableInARow = 0;
    long stalenessSum = 0;
    long stalenessMax = 0;
    RoundRecorder recorder = new RoundRecorder((int) version + 1, fleet);
    Optional<Configured> configured = version < settings.versions() ? configure(strategy, (int) version + 1, global)
        : Optional.empty();
    while (version < settings.versions() && configured.isPresent()) {
      fill(tasks, configured.get(), version, now, choice);
      if (tasks.size() == 0) {
        if (!fleet.awaitClients(Math.max(settings.minClients(), 1), WAIT_LOG_INTERVAL)) {
          log.info("waiting for clients: {} of {} connected", fleet.size(), settings.minClients());
        }
        continue;
      }
      AsyncTasks.Outcome o = tasks.next();
      now = Math.max(now, o.task().simEnd());
      String id = o.task().client().id();
      if (o.failure() != null || version - o.task().version() > settings.maxStaleness()) {
        if (++unusableInARow > unusableLimit()) {
          throw new FlotillaException("the last " + unusableInARow + " tasks all failed or came too late (latest: "
              + (o.failure() != null ? o.failure().kind() + ", " + o.failure().reason() : "stale") + "); stopping at"
              + " version " + version + " of " + settings.versions());
        }
      } else {
        unusableInARow = 0;
      }
      if (o.failure() != null) {
        failed++;
        failedTotal++;
        log.warn("version {}: client '{}' failed ({}): {}", version + 1, id, o.failure().kind(), o.failure().reason());
      } else {
        long staleness = version - o.task().version();
        if (staleness > settings.maxStaleness()) {
          refused++;
          refusedTotal++;
          log.info("refused the result of client '{}': it started from version {}, {} versions behind (at most {})",
              id, o.task().version(), staleness, settings.maxStaleness());
        } else {
          TrainResult r = o.result();
          buffer.add(id, UpdateBuffer.update(r.weights(), models.get(o.task().version())),
              settings.staleness().weight(staleness), r.metrics());
          clientMetrics.add(r.metrics(), r.numExamples());
          stalenessSum += staleness;
          stalenessMax = Math.max(stalenessMax, staleness);
        }
      }
      long current = version;
      models.keySet().removeIf(v -> v != current && !tasks.uses(v));
      if (buffer.size() < settings.bufferSize()) {
        continue;
      }
      RoundContext ctx = new RoundContext((int) version + 1, settings.versions(), settings.seed());
      AggregateResult aggregate = strategy.aggregateTrain(ctx, global,
          ResultStream.of(buffer.results(global), List.of()));
      global = accept(ctx.round(), global, aggregate.model());
      version++;
      models.put(version, global);
      recorder.trained(buffer.size(), failed);
      recorder.metrics(clientMetrics.mean());
      recorder.metrics(aggregate.metrics());
      Metrics own = Metrics.of("staleness_mean", stalenessSum / (double) buffer.size(), "staleness_max", stalenessMax,
          "stale_refused", refused);
      recorder.metrics(times == null ? own : own.with("sim_seconds", now));
      recorder.central(strategy.evaluate(ctx, global));
      // the state after this version's aggregation, before the next version is configured, as SyncWorkflow keeps it
      emit(recorder.record(), global, withState ? strategy.state() : StrategyState.empty(), listener, records);
      buffer.clear();
      clientMetrics = new ExampleWeightedMetrics();
      failed = 0;
      refused = 0;
      stalenessSum = 0;
      stalenessMax = 0;
      recorder = new RoundRecorder((int) version + 1, fleet);
      if (version < settings.versions()) {
        configured = configure(strategy, (int) version + 1, global);
      }
    }
    return global;
  }

  /** Unusable outcomes in a row after which the run ends: clients that can make no progress should not spin. */
  private int unusableLimit() {
    return Math.max(100, 10 * settings.concurrency());
  }

  /** Gives work to idle clients until {@code concurrency} are training or none is idle. */
  private void fill(AsyncTasks tasks, Configured configured, long version, double now, Random choice) {
    while (tasks.size() < settings.concurrency()) {
      List<ClientInfo> idle = fleet.clients().stream().filter(c -> !tasks.isBusy(c.id())).toList();
      if (idle.isEmpty()) {
        return;
      }
      ClientInfo client = idle.get(choice.nextInt(idle.size()));
      Optional<ClientProxy> proxy = fleet.client(client.id());
      if (proxy.isEmpty()) {
        return; // it left since clients() was asked; try again after the next outcome
      }
      TrainInstructions ins = configured.instructions(client.id());
      long deadlineMillis = System.currentTimeMillis() + settings.taskTimeout().toMillis();
      Message message = MessageTypes.train(ins)
          .withMetadata(Metadata.of((version + 1) + "/train", version, deadlineMillis));
      double seconds = times == null ? 0 : times.seconds(client, message);
      if (!(seconds >= 0) || Double.isInfinite(seconds)) {
        throw new IllegalStateException("simulated task time of client '" + client.id() + "' is " + seconds);
      }
      ReplyAllowance allowance = ReplyAllowance.exactly(configured.resultSpecs());
      tasks.add(client, version, now, now + seconds, System.nanoTime() + settings.taskTimeout().toNanos(),
          () -> proxy.get().request(message, allowance));
    }
  }

  /** The strategy's training configuration for version {@code round}, or empty if it stops the run. */
  private Optional<Configured> configure(Strategy strategy, int round, ModelWeights global) {
    RoundContext ctx = new RoundContext(round, settings.versions(), settings.seed());
    List<ClientTask<TrainInstructions>> tasks = strategy.configureTrain(ctx, global, fleet.clients());
    Optional<String> stop = strategy.stopReason();
    if (stop.isPresent()) {
      log.warn("stopping before version {} of {}: {}", round, settings.versions(), stop.get());
      return Optional.empty();
    }
    if (tasks.isEmpty()) {
      throw new FlotillaException("the strategy chose no client to train for version " + round
          + "; the asynchronous workflow takes its training configuration from them");
    }
    Map<String, TrainInstructions> byClient = new HashMap<>();
    tasks.forEach(t -> byClient.put(t.clientId(), t.instructions()));
    return Optional.of(new Configured(byClient, tasks.get(0).instructions(),
        strategy.trainResultSpecs(global).orElseThrow()));
  }

  private static TrainResult convert(Strategy strategy, ModelWeights start, Message m) {
    TrainResult r = MessageTypes.toTrainResult(m);
    strategy.checkTrainResult(start, r).ifPresent(p -> {
      throw new FlotillaException(p);
    });
    return r;
  }

  private static ModelWeights accept(int version, ModelWeights global, Optional<ModelWeights> proposed) {
    if (proposed.isEmpty()) {
      log.warn("version {}: the strategy made no model; keeping the current one", version);
      return global;
    }
    Optional<String> problem = UpdateValidator.problem(global.specs(), proposed.get());
    if (problem.isPresent()) {
      log.error("version {}: the aggregated model is unusable ({}); keeping the current one", version, problem.get());
      return global;
    }
    return proposed.get();
  }

  private void emit(RoundRecord record, ModelWeights model, StrategyState state, CheckpointListener listener,
      List<RoundRecord> records) {
    log.info("version {}/{}: {}", record.round(), settings.versions(), RoundRecorder.describe(record));
    records.add(record);
    listener.onRound(record, model, state);
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

  /** A version's training configuration: the instructions for the clients the strategy chose, and for others. */
  private record Configured(Map<String, TrainInstructions> byClient, TrainInstructions fallback,
      List<TensorSpec> resultSpecs) {
    TrainInstructions instructions(String clientId) {
      return byClient.getOrDefault(clientId, fallback);
    }
  }
}
