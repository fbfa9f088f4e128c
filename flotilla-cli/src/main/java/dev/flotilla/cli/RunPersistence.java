package dev.flotilla.cli;

import dev.flotilla.core.client.ClientState;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.strategy.StrategyState;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.store.Checkpoint;
import dev.flotilla.store.RunSpec;
import dev.flotilla.store.RunStatus;
import dev.flotilla.store.RunStore;
import dev.flotilla.store.StoredRun;
import dev.flotilla.workflow.ResumePoint;
import dev.flotilla.workflow.RoundRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A server run's link to the {@link RunStore}: a new run is recorded, or a stored one is found again with
 * {@code --resume}; after every round its record, model, strategy state and clients are saved; at the end its
 * status. {@link #NONE} stores nothing.
 */
final class RunPersistence implements AutoCloseable {
  /** No store: the run is not saved and cannot be resumed. */
  static final RunPersistence NONE = new RunPersistence(null, null, null, 0);

  private static final DateTimeFormatter RUN_ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private final RunStore store;
  private final String runId;
  private final Checkpoint checkpoint;
  private final int keepCheckpoints;
  private boolean ended;

  private RunPersistence(RunStore store, String runId, Checkpoint checkpoint, int keepCheckpoints) {
    this.store = store;
    this.runId = runId;
    this.checkpoint = checkpoint;
    this.keepCheckpoints = keepCheckpoints;
  }

  /**
   * Opens the store of {@code options} and starts run {@code runId} (a name from the time when null), or with
   * {@code resume} finds run {@code runId} (the most recent unfinished one when null) and checks that it was started
   * with {@code spec}. Only the checkpoints of the last {@code keepCheckpoints} rounds are kept (0: all).
   *
   * @throws IllegalArgumentException naming the problem: no run to resume, a finished run, a run started with other
   *     settings, a new run whose id exists
   */
  static RunPersistence open(StoreOptionsMixin options, String runId, boolean resume, RunSpec spec,
      int keepCheckpoints) throws IOException {
    Path stateDir = options.stateDirOrDefault();
    RunStore store = RunStore.open(stateDir, options.db);
    try {
      if (!resume) {
        String id = runId != null ? runId : freeId(store);
        store.create(id, spec);
        System.out.printf("run %s is stored in %s; after a crash, run the same command with --resume%n", id,
            options.db != null ? redact(options.db) + " (checkpoints in " + stateDir + ")" : stateDir);
        return new RunPersistence(store, id, null, keepCheckpoints);
      }
      StoredRun run = (runId != null ? store.find(runId) : latestUnfinished(store, spec.kind())).orElseThrow(() ->
          new IllegalArgumentException(runId != null ? "there is no run '" + runId + "' in " + where(options)
              : "there is no unfinished run in " + where(options) + " to resume with flotilla "
                  + (spec.kind().equals(RunSpec.SERVER) ? "server" : "simulate") + "; start one without --resume"));
      if (run.status() == RunStatus.FINISHED) {
        throw new IllegalArgumentException("run " + run.id() + " is finished already; nothing to resume");
      }
      requireSame(run, spec);
      store.checkpoints().removeUnfinishedWrites(run.id());
      Checkpoint at = store.lastCheckpoint(run.id()).orElse(null);
      store.setStatus(run.id(), RunStatus.RUNNING);
      System.out.println(at == null
          ? "resuming run " + run.id() + ": no round was completed, starting from the initial model"
          : "resuming run " + run.id() + " after " + (spec.isSync() ? "round " : "version ") + at.round() + " of "
              + spec.rounds() + (spec.isSync() ? "" : "; tasks in flight when it stopped are lost, clients get new"
              + " ones on the model of version " + at.round()));
      return new RunPersistence(store, run.id(), at, keepCheckpoints);
    } catch (RuntimeException | IOException e) {
      store.close();
      throw e;
    }
  }

  /** Whether runs are stored at all. */
  boolean enabled() {
    return store != null;
  }

  /**
   * Where the run goes on, with {@code strategy}'s state restored from the checkpoint; empty for a new run, or a
   * resumed one that had completed no round.
   */
  Optional<ResumePoint> resume(Strategy strategy) {
    if (checkpoint == null) {
      return Optional.empty();
    }
    strategy.restore(checkpoint.state());
    return resumePoint();
  }

  /** The state stored with the checkpoint the run goes on from; empty for a new run or one that completed no round. */
  Optional<StrategyState> resumedState() {
    return checkpoint == null ? Optional.empty() : Optional.of(checkpoint.state());
  }

  /** Where the run goes on, restoring nothing (the caller restores {@link #resumedState()}); empty as above. */
  Optional<ResumePoint> resumePoint() {
    if (checkpoint == null) {
      return Optional.empty();
    }
    List<RoundRecord> history = store.rounds(runId);
    return Optional.of(new ResumePoint(checkpoint.round(), checkpoint.model(), history));
  }

  /** Saves a finished round; does nothing without a store. */
  void save(RoundRecord record, ModelWeights model, StrategyState state, List<ClientInfo> clients) {
    save(record, model, state, clients, Map.of());
  }

  /**
   * Saves a finished round with the states of the virtual clients it changed ({@code changedClientStates}, by id;
   * the others keep their stored state); does nothing without a store.
   */
  void save(RoundRecord record, ModelWeights model, StrategyState state, List<ClientInfo> clients,
      Map<String, ClientState> changedClientStates) {
    if (store != null) {
      store.saveRound(runId, record, model, state, clients.stream().map(ClientInfo::id).toList(), keepCheckpoints,
          changedClientStates);
    }
  }

  /**
   * The virtual clients' states stored incrementally as of the checkpoint the run goes on from, by id; empty for a
   * new run, one that completed no round, or one stored before client states were kept apart (those are in
   * {@link #resumedState()}).
   */
  Map<String, ClientState> resumedClientStates() {
    return checkpoint == null ? Map.of() : store.clientStates(runId, checkpoint.round());
  }

  /** Records how the run ended; only the first call counts. */
  void ended(boolean completed) {
    if (store != null && !ended) {
      ended = true;
      store.setStatus(runId, completed ? RunStatus.FINISHED : RunStatus.FAILED);
    }
  }

  /**
   * Closes the store. A run that was never told how it ended (its command failed before or while it started: a busy
   * port, unreadable data) is recorded as failed; it can still be resumed. A process that is killed never gets here,
   * so its run stays running until it is resumed.
   */
  @Override
  public void close() {
    if (store != null) {
      try {
        ended(false);
      } finally {
        store.close();
      }
    }
  }

  private static void requireSame(StoredRun run, RunSpec spec) {
    run.spec().mismatch(spec).ifPresent(differs -> {
      throw new IllegalArgumentException("run " + run.id() + " was started with " + differs
          + "; resume it with the options it was started with");
    });
  }

  /** The most recently started unfinished run of {@code kind} (a server's or a simulation's), if any. */
  private static Optional<StoredRun> latestUnfinished(RunStore store, String kind) {
    return store.list().stream().filter(r -> r.status() != RunStatus.FINISHED && r.spec().kind().equals(kind))
        .findFirst();
  }

  private static String freeId(RunStore store) {
    String base = "run-" + ZonedDateTime.now(ZoneOffset.UTC).format(RUN_ID_TIME);
    String id = base;
    for (int n = 2; store.find(id).isPresent(); n++) {
      id = base + "-" + n;
    }
    return id;
  }

  private static String where(StoreOptionsMixin options) {
    return options.db != null ? redact(options.db) : options.stateDirOrDefault().toString();
  }

  private static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }
}
