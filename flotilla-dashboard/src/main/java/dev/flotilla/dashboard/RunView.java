package dev.flotilla.dashboard;

import java.util.List;
import java.util.Map;

/**
 * What the dashboard page shows at one moment: the JSON that {@code /api/state} returns and {@code /api/events}
 * pushes. Records only; {@link DashboardState#view()} makes them.
 *
 * @param title         what runs, such as {@code "FedAvg, cnn, 10 rounds"}
 * @param status        {@code idle} (no run yet), {@code running}, {@code finished}, {@code stopped} (a strategy ended
 *                      the run early) or {@code failed}
 * @param detail        why the run stopped or failed; empty otherwise
 * @param round         the round in progress, or the last one once the run is over (0 before the first)
 * @param rounds        rounds planned
 * @param minClients    clients a round waits for
 * @param connected     clients connected now
 * @param elapsedSeconds time since the run started
 * @param bytesUp       array bytes received from clients so far (for a resumed run, those of the earlier rounds'
 *                      records too)
 * @param bytesDown     array bytes sent to clients so far (likewise)
 * @param records       one per finished round, in round order
 * @param clients       the clients seen, at most {@value DashboardState#MAX_CLIENT_ROWS}: disconnected first, then the
 *                      most recently active
 * @param clientsSeen   every client seen in this run, also those not in {@code clients}
 * @param failures      the latest failures, newest first, at most {@value DashboardState#MAX_FAILURES}
 * @param failuresByKind every failure of the run, counted by kind
 * @param resumedAfter  for a stored run resumed after a restart, the last round it had completed before: the records
 *                      up to it come from the store (so {@code records} and the bytes cover the whole run), while the
 *                      clients, failures and elapsed time are those since the resume; null for a run not resumed
 */
public record RunView(String title, String status, String detail, int round, int rounds, int minClients,
    int connected, double elapsedSeconds, long bytesUp, long bytesDown, List<Round> records, List<Client> clients,
    int clientsSeen, List<Failure> failures, Map<String, Integer> failuresByKind, Integer resumedAfter) {

  /** A finished round, as in {@code metrics.jsonl}; null evaluation fields were not measured. */
  public record Round(int round, Double accuracy, Double loss, Double fedAccuracy, Double fedLoss, int clientsOk,
      int clientsFailed, double seconds, long bytesUp, long bytesDown, Map<String, Double> metrics) {}

  /**
   * One client and its last result.
   *
   * @param connected   whether the fleet has it now
   * @param phase       {@code train} or {@code evaluate}, of its last result or failure; null before any
   * @param lastRound   the round of that result
   * @param outcome     {@code ok}, or the failure's kind ({@code DISCONNECTED}, {@code TIMEOUT}, …); null before any
   * @param reason      the failure's reason; null for a result
   * @param numExamples the examples of its last result
   * @param loss        the loss its last result reported ({@code train_loss} or evaluation loss), if any
   * @param accuracy    the accuracy of its last evaluation, if any
   * @param disconnectedAgoSeconds how long ago it disconnected; null while connected
   */
  public record Client(String id, boolean connected, String phase, int lastRound, String outcome, String reason,
      long numExamples, Double loss, Double accuracy, Double disconnectedAgoSeconds) {}

  /** A client's failure in a round's phase. */
  public record Failure(int round, String phase, String clientId, String kind, String reason) {}
}
