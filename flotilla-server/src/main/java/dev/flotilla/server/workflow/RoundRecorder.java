package dev.flotilla.server.workflow;

import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.server.Fleet;
import dev.flotilla.server.RoundRecord;
import java.util.Locale;
import java.util.Optional;

/** Collects the figures of one round as it runs and turns them into a {@link RoundRecord}. */
final class RoundRecorder {
  private final int round;
  private final Fleet fleet;
  private final long startNanos = System.nanoTime();
  private final long bytesUpAtStart;
  private final long bytesDownAtStart;
  private EvaluateResult central;
  private EvaluateResult federated;
  private int clientsOk;
  private int clientsFailed;

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

  void central(Optional<EvaluateResult> result) {
    central = result.orElse(null);
  }

  void federated(Optional<EvaluateResult> result) {
    federated = result.orElse(null);
  }

  /** The record, with time and traffic measured now. */
  RoundRecord record() {
    return new RoundRecord(round,
        central == null ? null : finiteOrNull(central.accuracy()), central == null ? null : finiteOrNull(central.loss()),
        federated == null ? null : finiteOrNull(federated.accuracy()),
        federated == null ? null : finiteOrNull(federated.loss()),
        clientsOk, clientsFailed, (System.nanoTime() - startNanos) / 1e9,
        fleet.bytesReceived() - bytesUpAtStart, fleet.bytesSent() - bytesDownAtStart);
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
