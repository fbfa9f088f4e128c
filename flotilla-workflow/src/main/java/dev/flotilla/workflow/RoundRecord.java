package dev.flotilla.workflow;

import dev.flotilla.core.message.Metrics;
import java.util.Objects;

/**
 * What happened in one round, as written to {@code metrics.jsonl}. Round 0 is the evaluation of the initial model
 * before the first round. Evaluation fields are null when that evaluation did not run.
 *
 * @param round         1-based round number, 0 for the initial evaluation
 * @param accuracy      central evaluation accuracy in [0, 1]
 * @param loss          central evaluation mean loss
 * @param fedAccuracy   federated evaluation accuracy (example-weighted mean over clients)
 * @param fedLoss       federated evaluation loss
 * @param clientsOk     training results aggregated
 * @param clientsFailed sampled clients that failed, timed out or were rejected
 * @param seconds       wall time of the round: from its start to the start of the next round, or to the end of its
 *                      evaluation when no round follows at once (so the seconds of a run's rounds add up to its time,
 *                      although a round's central evaluation runs beside the next round's training)
 * @param bytesUp       array bytes received from clients over the round's {@code seconds}
 * @param bytesDown     array bytes sent to clients over the round's {@code seconds}
 * @param metrics       further named metrics of the round, written after the fixed ones: the strategy's (such as
 *                      a server learning rate), the clients' training metrics averaged by examples (such as
 *                      {@code train_loss}), further evaluation metrics ({@code fed_accuracy_std}), and those of
 *                      wrappers and mods ({@code epsilon})
 */
public record RoundRecord(int round, Double accuracy, Double loss, Double fedAccuracy, Double fedLoss,
    int clientsOk, int clientsFailed, double seconds, long bytesUp, long bytesDown, Metrics metrics) {
  public RoundRecord {
    Objects.requireNonNull(metrics, "metrics");
  }

  /** A record without further metrics. */
  public RoundRecord(int round, Double accuracy, Double loss, Double fedAccuracy, Double fedLoss,
      int clientsOk, int clientsFailed, double seconds, long bytesUp, long bytesDown) {
    this(round, accuracy, loss, fedAccuracy, fedLoss, clientsOk, clientsFailed, seconds, bytesUp, bytesDown,
        Metrics.empty());
  }
}
