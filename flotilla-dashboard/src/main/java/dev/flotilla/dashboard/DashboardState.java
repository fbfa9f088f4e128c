package dev.flotilla.dashboard;

import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.workflow.Fleet;
import dev.flotilla.workflow.RoundRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The run as the dashboard knows it: its status, a record per finished round, every client seen with its last result
 * or failure, and the latest failures. The workflow's side feeds it (rounds, client results and failures through
 * {@link Dashboard}); {@link #refreshConnections()} reads which clients the {@link Fleet} has now, so that a client
 * that disconnects is shown as disconnected; {@link #view()} is what the page gets. Every change raises
 * {@link #version()}, so that the server pushes a view only when something changed.
 *
 * <p>Thread-safe: every method holds the state's lock briefly; {@link #refreshConnections()} asks the fleet for its
 * clients before taking it, and {@link #view()} reads the fleet's byte counters, which do not block, while holding it.
 */
public final class DashboardState {
  /** Clients listed in a view; the others are counted only. */
  public static final int MAX_CLIENT_ROWS = 100;
  /** Failures listed in a view, the newest. */
  public static final int MAX_FAILURES = 50;

  private String title = "";
  private String status = "idle";
  private String detail = "";
  private int round;
  private int rounds;
  private int minClients;
  private long startNanos = System.nanoTime();
  private long endNanos = -1; // when the run ended, -1 while it runs
  private Fleet fleet;
  private final List<RunView.Round> records = new ArrayList<>();
  private final Map<String, ClientEntry> clients = new HashMap<>();
  private final ArrayDeque<RunView.Failure> failures = new ArrayDeque<>();
  private final Map<String, Integer> failuresByKind = new TreeMap<>();
  private long version;
  private long activity; // orders clients by their latest news
  private Integer resumedAfter; // the last round completed before a resume, null for a run not resumed
  private long earlierBytesUp; // the array bytes of the rounds before a resume, which the fleet did not count
  private long earlierBytesDown;

  /** A run of {@code rounds} rounds over {@code fleet} starts: what came before is forgotten. */
  public synchronized void runStarted(Fleet fleet, String title, int rounds, int minClients) {
    runStarted(fleet, title, rounds, minClients, List.of());
  }

  /**
   * A stored run goes on after a restart: as {@link #runStarted(Fleet, String, int, int)}, with the records of the
   * rounds it completed before ({@code earlier}, in round order) kept as its first rounds, so that the view shows the
   * whole run and {@link RunView#resumedAfter()} says where it was resumed. An empty {@code earlier} starts a new run.
   */
  public synchronized void runStarted(Fleet fleet, String title, int rounds, int minClients,
      List<RoundRecord> earlier) {
    this.fleet = Objects.requireNonNull(fleet, "fleet");
    this.title = Objects.requireNonNull(title, "title");
    this.rounds = rounds;
    this.minClients = minClients;
    this.status = "running";
    this.detail = "";
    this.round = 0;
    this.startNanos = System.nanoTime();
    this.endNanos = -1;
    records.clear();
    clients.clear();
    failures.clear();
    failuresByKind.clear();
    resumedAfter = null;
    earlierBytesUp = 0;
    earlierBytesDown = 0;
    for (RoundRecord r : earlier) {
      records.add(round(r));
      round = Math.max(round, r.round());
      earlierBytesUp += r.bytesUp();
      earlierBytesDown += r.bytesDown();
    }
    if (!earlier.isEmpty()) {
      resumedAfter = earlier.get(earlier.size() - 1).round();
    }
    changed();
  }

  /** Round {@code round} started (its training requests are about to go out). */
  public synchronized void roundStarted(int round) {
    this.round = round;
    changed();
  }

  /** Round {@code r.round()} is over. */
  public synchronized void roundFinished(RoundRecord r) {
    records.add(round(r));
    round = Math.max(round, r.round());
    changed();
  }

  /**
   * Client {@code clientId} delivered a result in {@code phase} of {@code round}; {@code loss} and {@code accuracy}
   * are null when it reported none.
   */
  public synchronized void clientResult(int round, String phase, String clientId, long numExamples, Double loss,
      Double accuracy) {
    ClientEntry c = entry(clientId);
    c.update(round, phase, "ok", null);
    c.numExamples = numExamples;
    c.loss = finite(loss);
    c.accuracy = finite(accuracy);
    c.activity = ++activity;
    changed();
  }

  /** {@code failure} happened in {@code phase} of {@code round}. */
  public synchronized void clientFailed(int round, String phase, ClientFailure failure) {
    ClientEntry c = entry(failure.clientId());
    c.update(round, phase, failure.kind().name(), failure.reason());
    c.activity = ++activity;
    failures.addFirst(new RunView.Failure(round, phase, failure.clientId(), failure.kind().name(), failure.reason()));
    while (failures.size() > MAX_FAILURES) {
      failures.removeLast();
    }
    failuresByKind.merge(failure.kind().name(), 1, Integer::sum);
    changed();
  }

  /** The run ended: {@code status} is {@code finished}, {@code stopped} or {@code failed}, {@code detail} says why. */
  public synchronized void runEnded(String status, String detail) {
    this.status = Objects.requireNonNull(status, "status");
    this.detail = detail == null ? "" : detail;
    this.endNanos = System.nanoTime();
    changed();
  }

  /**
   * Compares the clients the fleet has now with those known: new ones are added as connected, those gone are marked
   * disconnected (and those back as connected). Returns whether anything changed.
   */
  public boolean refreshConnections() {
    Fleet f;
    synchronized (this) {
      f = fleet;
    }
    if (f == null) {
      return false;
    }
    List<ClientInfo> now = f.clients();
    synchronized (this) {
      if (f != fleet) {
        return false;
      }
      Set<String> ids = new HashSet<>(now.size() * 2);
      boolean change = false;
      for (ClientInfo info : now) {
        ids.add(info.id());
        if (!clients.containsKey(info.id())) {
          entry(info.id());
          change = true;
        }
      }
      for (ClientEntry c : clients.values()) {
        boolean connected = ids.contains(c.id);
        if (connected != c.connected) {
          c.connected = connected;
          c.disconnectedAtNanos = connected ? 0 : System.nanoTime();
          c.activity = ++activity;
          change = true;
        }
      }
      if (change) {
        changed();
      }
      return change;
    }
  }

  /** A counter raised by every change. */
  public synchronized long version() {
    return version;
  }

  /** The run as the page shows it now. */
  public synchronized RunView view() {
    long nowNanos = System.nanoTime();
    List<ClientEntry> shown = new ArrayList<>(clients.values());
    if (shown.size() > MAX_CLIENT_ROWS) {
      shown.sort(Comparator.comparing((ClientEntry c) -> c.connected).thenComparing(c -> -c.activity));
      shown = shown.subList(0, MAX_CLIENT_ROWS);
    }
    shown.sort((a, b) -> NaturalOrder.compare(a.id, b.id));
    List<RunView.Client> rows = new ArrayList<>(shown.size());
    int connected = 0;
    for (ClientEntry c : clients.values()) {
      connected += c.connected ? 1 : 0;
    }
    for (ClientEntry c : shown) {
      rows.add(new RunView.Client(c.id, c.connected, c.phase, c.lastRound, c.outcome, c.reason, c.numExamples, c.loss,
          c.accuracy, c.connected ? null : (nowNanos - c.disconnectedAtNanos) / 1e9));
    }
    return new RunView(title, status, detail, round, rounds, minClients, connected,
        fleet == null ? 0 : ((endNanos < 0 ? nowNanos : endNanos) - startNanos) / 1e9,
        earlierBytesUp + (fleet == null ? 0 : fleet.bytesReceived()),
        earlierBytesDown + (fleet == null ? 0 : fleet.bytesSent()),
        List.copyOf(records), List.copyOf(rows), clients.size(), List.copyOf(failures),
        new LinkedHashMap<>(failuresByKind), resumedAfter);
  }

  private static RunView.Round round(RoundRecord r) {
    return new RunView.Round(r.round(), r.accuracy(), r.loss(), r.fedAccuracy(), r.fedLoss(), r.clientsOk(),
        r.clientsFailed(), r.seconds(), r.bytesUp(), r.bytesDown(), finite(r.metrics().values()));
  }

  /** The named metric, or null; for result metrics such as {@code train_loss}. */
  static Double metric(Metrics metrics, String name) {
    return metrics.get(name).isPresent() ? metrics.get(name).getAsDouble() : null;
  }

  /** {@code d}, or null if it is not finite (JSON has no NaN). */
  private static Double finite(Double d) {
    return d == null || !Double.isFinite(d) ? null : d;
  }

  /** The finite values of {@code values}, in name order. */
  private static Map<String, Double> finite(Map<String, Double> values) {
    Map<String, Double> out = new TreeMap<>();
    values.forEach((k, v) -> {
      if (v != null && Double.isFinite(v)) {
        out.put(k, v);
      }
    });
    return out;
  }

  private ClientEntry entry(String id) {
    return clients.computeIfAbsent(id, ClientEntry::new);
  }

  private void changed() {
    version++;
  }

  /** What is known of one client; guarded by the state's lock. */
  private static final class ClientEntry {
    final String id;
    boolean connected = true;
    long disconnectedAtNanos;
    String phase;
    int lastRound;
    String outcome;
    String reason;
    long numExamples;
    Double loss;
    Double accuracy;
    long activity;

    ClientEntry(String id) {
      this.id = id;
    }

    void update(int round, String phase, String outcome, String reason) {
      this.lastRound = round;
      this.phase = phase;
      this.outcome = outcome;
      this.reason = reason;
    }
  }
}
