package dev.flotilla.cli;

import dev.flotilla.core.client.ClientMod;
import dev.flotilla.core.he.PaillierMod;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.partition.LocalTestSplit;
import dev.flotilla.core.secagg.SecAggMessages;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.Sampling;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.dashboard.Dashboard;
import dev.flotilla.djl.PyTorchRuntime;
import dev.flotilla.djl.data.LabelledImages;
import dev.flotilla.sim.ClientSpeeds;
import dev.flotilla.sim.MemoryWatch;
import dev.flotilla.sim.SimulatedClock;
import dev.flotilla.sim.SimulatedFleet;
import dev.flotilla.sim.SimulationProgress;
import dev.flotilla.sim.VirtualClient;
import dev.flotilla.workflow.AsyncSettings;
import dev.flotilla.workflow.AsyncWorkflow;
import dev.flotilla.workflow.CheckpointListener;
import dev.flotilla.workflow.ResumePoint;
import dev.flotilla.workflow.RoundListener;
import dev.flotilla.workflow.RunSummary;
import dev.flotilla.workflow.SyncSettings;
import dev.flotilla.workflow.SyncWorkflow;
import dev.flotilla.workflow.TrainStage;
import dev.flotilla.workflow.io.RunOutput;
import dev.flotilla.workflow.io.SafeTensors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A federated run simulated in one JVM, on a labelled image set partitioned over virtual clients. It runs the code a
 * deployment runs: {@link SyncWorkflow} drives the round loop, {@link FedAvg} samples, aggregates and evaluates, and
 * every client's {@code DjlClientApp} receives its messages through the client SDK's dispatcher; only the network is
 * replaced, by a {@link SimulatedFleet}. The strategy is configured as {@code flotilla server} configures it.
 *
 * <p>Determinism: the seed fixes the partition, the initial model and the clients sampled each round; each client's
 * local shuffling is fixed by its seed; results reach the strategy in sampling order; libtorch runs one thread per
 * operation. The same settings therefore give the same metrics to the last digit on the same machine (only
 * {@code seconds} differs).
 *
 * <p>With an output folder, it gets {@code metrics.jsonl}, {@code model.safetensors} and {@code accuracy.png} (see
 * {@link RunOutput}) and {@value #SUMMARY_FILE} (the settings and the results, {@link SimulationResult#toJson()}).
 */
public final class Simulation {
  /** The summary file in the output folder. */
  public static final String SUMMARY_FILE = "summary.json";
  private static final Logger log = LoggerFactory.getLogger(Simulation.class);
  /** The least real time a round (or an asynchronous task) may take: timeouts apply on the simulated clock. */
  private static final Duration REAL_WAIT = Duration.ofHours(1);

  private Simulation() {}

  /**
   * Runs the simulation to the end.
   *
   * @param train    the training set, partitioned over the clients
   * @param test     the test set for central evaluation after every round (and, with federated evaluation, for the
   *                 clients' local test shares), or null for none
   * @param progress told of each task and round
   * @throws IllegalArgumentException if the data cannot be split as asked (for example fewer examples than clients)
   * @throws IOException              if the output cannot be written
   * @throws InterruptedException     if the calling thread is interrupted
   */
  public static SimulationResult run(SimulationSettings settings, LabelledImages train, LabelledImages test,
      SimulationProgress progress) throws IOException, InterruptedException {
    return run(settings, train, test, progress, Dashboard.disabled(), null);
  }

  /** As above, with the run shown on {@code dashboard} (its virtual clients, as the fleet has them, included). */
  public static SimulationResult run(SimulationSettings settings, LabelledImages train, LabelledImages test,
      SimulationProgress progress, Dashboard dashboard) throws IOException, InterruptedException {
    return run(settings, train, test, progress, dashboard, null);
  }

  /**
   * As {@link #run(SimulationSettings, LabelledImages, LabelledImages, SimulationProgress)}, each round's training run
   * through {@code trainStage} (secure aggregation), or as usual if it is null.
   */
  public static SimulationResult run(SimulationSettings settings, LabelledImages train, LabelledImages test,
      SimulationProgress progress, TrainStage trainStage) throws IOException, InterruptedException {
    return run(settings, train, test, progress, Dashboard.disabled(), trainStage);
  }

  /**
   * The simulation, shown on {@code dashboard}, each synchronous round's training run through {@code trainStage}
   * (secure aggregation) or as usual if it is null.
   *
   * @throws IllegalArgumentException if an asynchronous run is to be securely aggregated
   */
  public static SimulationResult run(SimulationSettings settings, LabelledImages train, LabelledImages test,
      SimulationProgress progress, Dashboard dashboard, TrainStage trainStage)
      throws IOException, InterruptedException {
    return run(settings, train, test, progress, dashboard, trainStage, RunPersistence.NONE);
  }

  /**
   * As above, saved to a run store after every round and, when {@code persistence} was opened with {@code --resume},
   * going on from the stored run's last completed round with the model, strategy state and virtual clients' states
   * it had then ({@link StoredSimulation}): the rounds after it are those of an uninterrupted simulation. An
   * asynchronous simulation is stored after every model version and goes on after the last stored one
   * ({@link StoredAsyncSimulation}); the tasks in flight then are lost.
   *
   * @throws IllegalArgumentException if an asynchronous run is to be securely aggregated, or cannot run the strategy
   */
  static SimulationResult run(SimulationSettings settings, LabelledImages train, LabelledImages test,
      SimulationProgress progress, Dashboard dashboard, TrainStage trainStage, RunPersistence persistence)
      throws IOException, InterruptedException {
    if (settings.async() != null && trainStage != null) {
      throw new IllegalArgumentException("--workflow async cannot run with secure aggregation (" + trainStage
          + "): masks and ciphertexts need a whole round's clients");
    }
    long start = System.nanoTime();
    double cpuAtStart = MemoryWatch.processCpuSeconds();
    if (settings.fractionEvaluate() > 0 && test == null) {
      throw new IllegalArgumentException("federated evaluation (fraction " + settings.fractionEvaluate()
          + ") needs a test set to split over the clients");
    }
    List<int[]> trainParts = settings.partitioner().partition(train.labels(), settings.clients(), settings.seed());
    List<int[]> testParts = settings.fractionEvaluate() > 0
        ? LocalTestSplit.split(train.labels(), trainParts, test.labels(), settings.seed() + 1) : null;
    List<VirtualClient> clients = VirtualClient.fromPartition(trainParts, testParts);
    ModelWeights initial = InitialModel.load(settings.model(), settings.seed(), settings.initialModel());
    checkThreads(settings.workers());
    log.info("simulating {} clients ({} per round, {}) with {} workers; model {} ({} parameters)", settings.clients(),
        settings.clientsPerRound(), settings.partitioner().spec(), settings.workers(), settings.model(),
        initial.numParameters());

    MemoryWatch memory = MemoryWatch.start();
    RunSummary summary;
    SimulatedClock clock = clock(settings, clients);
    try (ShardedEvaluator evaluator = test == null ? null
            : ShardedEvaluator.djl(settings.model(), test, settings.workers());
        SimulatedFleet fleet = new SimulatedFleet(clients, new DjlAppFactory(settings.model(), train, test),
            ClientMods.forSimulation(clients, settings.byzantine(), settings.seed(), privacyMods(settings)),
            settings.workers(),
            (id, type) -> {
              if (isTrainingOrEvaluation(type)) {
                progress.taskDone();
              }
            }, clock);
        RunOutput output = settings.out() == null ? null : RunOutput.create(settings.out(), settings.model())) {
      Strategy strategy = strategy(settings, evaluator);
      StoredSimulation stored = new StoredSimulation(persistence, fleet);
      Optional<ResumePoint> from = persistence.enabled() ? stored.resume(strategy) : Optional.empty();
      Duration realWait = settings.roundTimeout().compareTo(REAL_WAIT) > 0 ? settings.roundTimeout() : REAL_WAIT;
      progress.started(from.isEmpty() ? totalTasks(settings)
          : tasksAfter(settings, from.get().completedRound()), settings.rounds());
      dashboard.runStarted(fleet, title(settings), settings.rounds(), settings.clientsPerRound(),
          from.map(ResumePoint::history).orElse(List.of()));
      Strategy observed = dashboard.observe(strategy);
      RoundListener display = (record, model) -> {
        dashboard.onRound(record, model);
        progress.roundDone(record);
        if (output != null) {
          output.round(record, model);
        }
      };
      SimulatedRounds timed = new SimulatedRounds(clock, settings.async() == null, display);
      if (from.isPresent()) {
        timed.resumeAfter(from.get().history());
        if (output != null) {
          output.history(from.get().history());
          SafeTensors.write(settings.out().resolve(RunOutput.MODEL_FILE), from.get().model(), Map.of("model",
              settings.model(), "round", Integer.toString(from.get().completedRound())));
        }
      }
      boolean completed = false;
      try {
        RunSummary run;
        if (settings.async() == null) {
          SyncSettings sync = SyncSettings.builder().rounds(settings.rounds()).minClients(settings.clientsPerRound())
              .minFitClients(1).roundTimeout(realWait).seed(settings.seed()).evaluateInitial(true)
              .build();
          SyncWorkflow workflow = new SyncWorkflow(fleet, sync, trainStage);
          if (persistence.enabled()) {
            Strategy snapshotting = stored.snapshotting(observed);
            run = from.isPresent() ? workflow.run(snapshotting, from.get(), stored.listener(timed, display))
                : workflow.run(snapshotting, initial, stored.listener(timed, display));
          } else {
            run = workflow.run(observed, initial, timed);
          }
        } else {
          ServerRun.checkAsyncStrategy(strategy, initial);
          AsyncSettings async = settings.async().settings(settings.rounds(), 1, realWait, settings.seed(), true);
          if (persistence.enabled()) {
            // every version stored; a resume goes on after the last one, its tasks in flight lost
            StoredAsyncSimulation storedAsync = new StoredAsyncSimulation(stored, fleet);
            AsyncWorkflow workflow = new AsyncWorkflow(storedAsync.fleet(), async, clock);
            CheckpointListener listener = storedAsync.listener(workflow, timed, display);
            run = from.isPresent() ? workflow.run(observed, from.get(), listener)
                : workflow.run(observed, initial, listener);
          } else {
            run = new AsyncWorkflow(fleet, async, clock).run(observed, initial, timed);
          }
        }
        summary = new RunSummary(run.finalModel(), timed.records(), run.lateResults());
        completed = true;
      } finally {
        persistence.ended(completed);
        progress.finished();
      }
      dashboard.runFinished(strategy.stopReason());
      memory.close();
      SimulationResult result = new SimulationResult(settings, summary, train.size(), test == null ? 0 : test.size(),
          (System.nanoTime() - start) / 1e9, cpuAtStart < 0 ? -1 : MemoryWatch.processCpuSeconds() - cpuAtStart,
          memory.peakUsedBytes(), memory.peakAfterGcBytes(),
          MemoryWatch.maxHeapBytes(), MemoryWatch.peakResidentBytes(), strategy.stopReason().orElse(null));
      if (output != null) {
        output.writeChart(title(settings));
        Files.writeString(output.dir().resolve(SUMMARY_FILE), result.toJson() + "\n", StandardCharsets.UTF_8);
      }
      return result;
    } finally {
      memory.close();
    }
  }

  /**
   * Refuses, before anything is started or stored, a workflow that cannot run these settings: the asynchronous one
   * with secure aggregation ({@code trainStage} not null) or with a strategy it cannot run
   * ({@link AsyncWorkflow#checkSupported}).
   *
   * @throws IllegalArgumentException naming the problem
   * @throws IOException              if the initial model cannot be read
   */
  static void checkWorkflow(SimulationSettings settings, TrainStage trainStage) throws IOException {
    ServerRun.checkWorkflow(settings.async(), trainStage);
    if (settings.async() != null) {
      ServerRun.checkAsyncStrategy(strategy(settings, null),
          InitialModel.load(settings.model(), settings.seed(), settings.initialModel()));
    }
  }

  /**
   * The chosen strategy as {@code flotilla server} sets it up, sampling {@code clientsPerRound} clients to train
   * each round.
   */
  static Strategy strategy(SimulationSettings settings, ShardedEvaluator evaluator) {
    FedAvg.Settings.Builder fedAvg = FedAvg.Settings.builder()
        .train(new Sampling(0, settings.async() == null ? settings.clientsPerRound() : settings.async().bufferSize()))
        .trainConfig(settings.trainConfig().with("model", settings.model()))
        .evaluate(settings.fractionEvaluate() > 0 ? new Sampling(settings.fractionEvaluate(), 1) : new Sampling(0, 0))
        .evaluateConfig(Config.of("model", settings.model()));
    if (evaluator != null) {
      fedAvg.centralEvaluator(evaluator);
    }
    return settings.strategy().build(fedAvg.build());
  }

  /**
   * The simulated clock: each client's speed drawn from {@link SimulationSettings#clientSpeed()} and the seed, the
   * default task costs, and the round timeout measured on it.
   */
  static SimulatedClock clock(SimulationSettings settings, List<VirtualClient> clients) {
    ClientSpeeds speeds = ClientSpeeds.parse(settings.clientSpeed(),
        clients.stream().map(VirtualClient::id).toList(), settings.seed());
    return new SimulatedClock(speeds, SimulatedClock.DEFAULT_SECONDS_PER_EXAMPLE,
        SimulatedClock.DEFAULT_COMMUNICATION_SECONDS, settings.roundTimeout().toNanos() / 1e9);
  }

  /** The mods that differential privacy adds to every virtual client (none without it, or for central DP). */
  private static List<ClientMod> privacyMods(SimulationSettings settings) {
    PrivacyChoice privacy = settings.strategy().privacy();
    return privacy == null ? List.of() : privacy.clientMods();
  }

  /**
   * Whether a virtual client's request of {@code type} is one of the tasks the progress counts: training (plain, or
   * the masked or encrypted training of secure aggregation) and evaluation, not the other stages of secure
   * aggregation.
   */
  private static boolean isTrainingOrEvaluation(String type) {
    return !(type.startsWith("secagg/") || type.startsWith("he/"))
        || type.equals(SecAggMessages.COLLECT_MASKED) || type.equals(PaillierMod.TRAIN);
  }

  /** Client tasks in the whole run: training each round, and federated evaluation each round and before the first. */
  static long totalTasks(SimulationSettings settings) {
    if (settings.async() != null) {
      return (long) settings.rounds() * settings.async().bufferSize();
    }
    long training = (long) settings.rounds() * new Sampling(0, settings.clientsPerRound()).size(settings.clients());
    long evaluation = settings.fractionEvaluate() > 0
        ? (settings.rounds() + 1L) * new Sampling(settings.fractionEvaluate(), 1).size(settings.clients()) : 0;
    return training + evaluation;
  }

  /** Client tasks of a run's rounds (model versions) after {@code completedRound}, for a resumed run's progress. */
  static long tasksAfter(SimulationSettings settings, int completedRound) {
    long rounds = Math.max(0, settings.rounds() - completedRound);
    if (settings.async() != null) {
      return rounds * settings.async().bufferSize();
    }
    long training = rounds * new Sampling(0, settings.clientsPerRound()).size(settings.clients());
    long evaluation = settings.fractionEvaluate() > 0
        ? rounds * new Sampling(settings.fractionEvaluate(), 1).size(settings.clients()) : 0;
    return training + evaluation;
  }

  private static String title(SimulationSettings s) {
    return String.format(Locale.ROOT, "%s, %s: %d clients (%d per round), %s, seed %d%s", s.strategy().describe(),
        s.model(), s.clients(), s.clientsPerRound(), s.partitioner().spec(), s.seed(),
        s.byzantine() == null ? "" : ", Byzantine " + s.byzantine())
        + (s.async() == null ? "" : ", async " + s.async().describe())
        + (s.clientSpeed().equals("uniform") ? "" : ", speeds " + s.clientSpeed());
  }

  /** Warns when the workers' compute threads would outnumber the cores. */
  private static void checkThreads(int workers) {
    int cores = Runtime.getRuntime().availableProcessors();
    int intraOp = PyTorchRuntime.intraOpThreads();
    if ((long) workers * intraOp > cores) {
      log.warn("{} workers x {} intra-op threads oversubscribe the {} cores; expect slower rounds", workers, intraOp,
          cores);
    } else {
      log.info("{} workers x {} intra-op thread(s) on {} cores", workers, intraOp, cores);
    }
  }
}
