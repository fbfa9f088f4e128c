package dev.flotilla.workflow.io;

import dev.flotilla.workflow.RoundRecord;
import java.util.Locale;

/**
 * One line of console progress per round, for people watching a run:
 * {@code round  3/10  accuracy 0.8123  loss 0.5234  clients 10 ok 0 failed  12.3 s}.
 */
public final class RoundLine {
  private RoundLine() {}

  /**
   * Formats {@code record}. The round number is right-aligned to the width of {@code totalRounds} so that lines of a
   * run stay in columns. Central accuracy and loss appear when they were measured, then federated ones ({@code fed
   * accuracy}, {@code fed loss}) when they were, and the privacy spent ({@code epsilon}) when the strategy reports it;
   * accuracies and losses have 4 decimals, seconds 1. No line break.
   *
   * @param totalRounds rounds planned for the run, or 0 if unknown (then no {@code /N} is printed)
   */
  public static String format(RoundRecord record, int totalRounds) {
    StringBuilder line = new StringBuilder("round ");
    if (totalRounds > 0) {
      int width = String.valueOf(totalRounds).length();
      line.append(String.format(Locale.ROOT, "%" + width + "d/%d", record.round(), totalRounds));
    } else {
      line.append(record.round());
    }
    appendValue(line, "accuracy", record.accuracy());
    appendValue(line, "loss", record.loss());
    appendValue(line, "fed accuracy", record.fedAccuracy());
    appendValue(line, "fed loss", record.fedLoss());
    record.metrics().get("epsilon").ifPresent(e -> appendValue(line, "epsilon", e));
    line.append(String.format(Locale.ROOT, "  clients %d ok %d failed  %.1f s",
        record.clientsOk(), record.clientsFailed(), record.seconds()));
    return line.toString();
  }

  private static void appendValue(StringBuilder line, String label, Double value) {
    if (value != null) {
      line.append(String.format(Locale.ROOT, "  %s %.4f", label, value));
    }
  }
}
