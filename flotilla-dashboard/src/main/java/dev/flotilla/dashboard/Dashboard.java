package dev.flotilla.dashboard;

import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.workflow.Fleet;
import dev.flotilla.workflow.RoundListener;
import dev.flotilla.workflow.RoundRecord;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The dashboard of a run: a web page that shows the run's status, accuracy and loss per round in a live chart, the
 * clients with their last result, failures and their reasons, bytes per round and the privacy spent, and Prometheus
 * metrics at {@code /metrics} (see {@link RunMetrics}). Works for any {@link Fleet}, a server's clients or a
 * simulation's:
 *
 * <pre>{@code
 * try (Dashboard dashboard = Dashboard.start(DashboardSettings.onLoopback(8081))) {
 *   dashboard.runStarted(server.registry(), "FedAvg, 10 rounds", 10, 2);
 *   Strategy observed = dashboard.observe(strategy);
 *   RunSummary summary = new SyncWorkflow(server.registry(), sync).run(observed, initial, dashboard);
 *   dashboard.runFinished(observed.stopReason());
 * }
 * }</pre>
 *
 * <p>A {@linkplain #disabled() disabled} dashboard keeps the same state and metrics but serves nothing, so that callers
 * need no special case. Thread-safe.
 */
public final class Dashboard implements RoundListener, AutoCloseable {
  private final DashboardState state = new DashboardState();
  private final RunMetrics metrics = new RunMetrics();
  private final DashboardServer server;
  private final String url;

  private Dashboard(DashboardSettings settings) {
    if (settings == null) {
      server = null;
      url = null;
    } else {
      server = DashboardServer.start(state, metrics, settings);
      url = "http://" + (settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host()) + ":"
          + server.port() + "/";
    }
  }

  /**
   * Starts serving the dashboard as {@code settings} say.
   *
   * @throws dev.flotilla.core.FlotillaException if the address cannot be bound
   */
  public static Dashboard start(DashboardSettings settings) {
    return new Dashboard(Objects.requireNonNull(settings, "settings"));
  }

  /** A dashboard that serves nothing. */
  public static Dashboard disabled() {
    return new Dashboard(null);
  }

  /** The page's address, such as {@code http://127.0.0.1:8081/}; empty for a disabled dashboard. */
  public Optional<String> url() {
    return Optional.ofNullable(url);
  }

  /** The run as the page shows it. */
  public DashboardState state() {
    return state;
  }

  /** The run's Prometheus metrics. */
  public RunMetrics metrics() {
    return metrics;
  }

  /**
   * A run over {@code fleet} starts: {@code rounds} rounds, each waiting for {@code minClients} clients. The page shows
   * {@code title} and, from now on, the fleet's clients.
   */
  public void runStarted(Fleet fleet, String title, int rounds, int minClients) {
    runStarted(fleet, title, rounds, minClients, List.of());
  }

  /**
   * A stored run goes on after a restart ({@code --resume}): as {@link #runStarted(Fleet, String, int, int)}, and the
   * page shows the rounds it completed before, {@code earlier} (such as
   * {@link dev.flotilla.workflow.ResumePoint#history()}), in its round table and charts, marked as earlier rounds,
   * and the cards start from the last of them. The Prometheus gauges (round, accuracy, loss, privacy spent) start
   * from it too; the counters count this process's work, as counters do after a restart. An empty {@code earlier}
   * starts a new run.
   */
  public void runStarted(Fleet fleet, String title, int rounds, int minClients, List<RoundRecord> earlier) {
    metrics.watch(fleet);
    if (!earlier.isEmpty()) {
      metrics.runResumed(earlier.get(earlier.size() - 1));
    }
    state.runStarted(fleet, title, rounds, minClients, earlier);
    state.refreshConnections();
  }

  /**
   * {@code strategy}, reporting to this dashboard every client result and failure it receives; give the workflow this
   * one. It changes nothing the strategy does.
   */
  public Strategy observe(Strategy strategy) {
    return new ObservedStrategy(strategy, this);
  }

  /** Round {@code record.round()} is over; called by the workflow, as a {@link RoundListener}. */
  @Override
  public void onRound(RoundRecord record, ModelWeights model) {
    metrics.roundFinished(record);
    state.roundFinished(record);
  }

  /** The run is over: stopped early for {@code stopReason} if present, else finished. */
  public void runFinished(Optional<String> stopReason) {
    if (stopReason.isPresent()) {
      state.runEnded("stopped", stopReason.get());
    } else {
      state.runEnded("finished", "");
    }
  }

  /** The run ended with {@code error}. */
  public void runFailed(Throwable error) {
    state.runEnded("failed", String.valueOf(error.getMessage()));
  }

  void roundStarted(int round) {
    metrics.roundStarted(round);
    state.roundStarted(round);
  }

  void clientResult(int round, String phase, String clientId, long numExamples, Double loss, Double accuracy) {
    metrics.clientResult(phase);
    state.clientResult(round, phase, clientId, numExamples, loss, accuracy);
  }

  void clientFailed(int round, String phase, ClientFailure failure) {
    metrics.clientFailed(phase, failure);
    state.clientFailed(round, phase, failure);
  }

  /** Stops serving (the page's live updates end). Idempotent. */
  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }
}
