package dev.flotilla.workflow;

import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.workflow.Fleet;
import dev.flotilla.workflow.RoundRecord;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Collects the figures of one round as it runs and turns them into a {@link RoundRecord}. The round's time and
 * traffic run from when the recorder is made until {@link #end()}: when the next round starts, or when the record is
 * made if no round started before.
 */
final class RoundRecorder {
  private final int round;
  private final Fleet fleet;
  private final long startNanos = System.nanoTime();
  private final long bytesUpAtStart;
  private final long bytesDownAtStart;
  private EvaluateResult central;
  private EvaluateResult federated;
  private Metrics metrics = Metrics.empty();
  private int clientsOk;
  private int clientsFailed;
  private long endNanos = -1;
  private long bytesUpAtEnd;
  private long bytesDownAtEnd;

  RoundRecorder(int round, Fleet fleet) {
    this.round = round;
    this.fleet = fleet;
    this.bytesUpAtStart = fleet.bytesReceived();
    this.bytesDownAtStart = fleet.bytesSent();
  }

  void trained(int ok, int failed) {
    clientsOk = ok;
    clientsFailed = failed;
  }

  /** Adds named metrics of the round; a later value replaces an earlier one of the same name. */
  void metrics(Metrics more) {
    metrics = metrics.merge(more);
  }

  /** The central evaluation; its metrics other than accuracy are recorded under their own names. */
  void central(Optional<EvaluateResult> result) {
    central = result.orElse(null);
    if (central != null) {
      metrics(prefixed("", central.metrics()));
    }
  }

  /** The federated evaluation; its metrics other than accuracy are recorded with the prefix {@code fed_}. */
  void federated(Optional<EvaluateResult> result) {
    federated = result.orElse(null);
    if (federated != null) {
      metrics(prefixed("fed_", federated.metrics()));
    }
  }

  private static Metrics prefixed(String prefix, Metrics m) {
    Map<String, Double> out = new LinkedHashMap<>();
    m.values().forEach((k, v) -> {
      if (!k.equals("accuracy")) {
        out.put(prefix + k, v);
      }
    });
    return new Metrics(out);
  }

  /** Ends the round's time and traffic now, unless they ended already. */
  void end() {
    if (endNanos < 0) {
      endNanos = System.nanoTime();
      bytesUpAtEnd = fleet.bytesReceived();
      bytesDownAtEnd = fleet.bytesSent();
    }
  }

  /** The record, with time and traffic up to {@link #end()} (called now if it was not called yet). */
  RoundRecord record() {
    end();
    return new RoundRecord(round,
        central == null ? null : finiteOrNull(central.accuracy()), central == null ? null : finiteOrNull(central.loss()),
        federated == null ? null : finiteOrNull(federated.accuracy()),
        federated == null ? null : finiteOrNull(federated.loss()),
        clientsOk, clientsFailed, (endNanos - startNanos) / 1e9,
        bytesUpAtEnd - bytesUpAtStart, bytesDownAtEnd - bytesDownAtStart, metrics);
  }

  /** A one-line summary for the log. */
  static String describe(RoundRecord r) {
    return String.format(Locale.ROOT, "%d ok, %d failed; accuracy %s, loss %s; fed_accuracy %s, fed_loss %s;"
            + " %.1f s, %.1f MB up, %.1f MB down", r.clientsOk(), r.clientsFailed(), format(r.accuracy()),
        format(r.loss()), format(r.fedAccuracy()), format(r.fedLoss()), r.seconds(), r.bytesUp() / 1e6,
        r.bytesDown() / 1e6);
  }

  private static String format(Double d) {
    return d == null ? "-" : String.format(Locale.ROOT, "%.4f", d);
  }

  private static Double finiteOrNull(double d) {
    return Double.isFinite(d) ? d : null;
  }
}
