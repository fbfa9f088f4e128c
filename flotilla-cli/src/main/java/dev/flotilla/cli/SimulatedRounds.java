package dev.flotilla.cli;

import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.sim.SimulatedClock;
import dev.flotilla.workflow.RoundListener;
import dev.flotilla.workflow.RoundRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts the simulated time, {@code sim_seconds}, into every round record of a simulation before passing it on, and
 * keeps the records. A synchronous round takes as long as its slowest training task (or the timeout that dropped
 * one), so {@code sim_seconds} after round r is the sum of those over rounds 1 to r; an asynchronous run's records
 * carry the event time of their version already. Called on the workflow's thread, in round order.
 */
final class SimulatedRounds implements RoundListener {
  private static final String SIM_SECONDS = "sim_seconds";
  private final SimulatedClock clock;
  private final boolean synchronous;
  private final RoundListener next;
  private final List<RoundRecord> records = new ArrayList<>();
  private double elapsed;

  SimulatedRounds(SimulatedClock clock, boolean synchronous, RoundListener next) {
    this.clock = clock;
    this.synchronous = synchronous;
    this.next = next;
  }

  @Override
  public void onRound(RoundRecord record, ModelWeights model) {
    next.onRound(add(record), model);
  }

  /**
   * Goes on from the records of a stored run's completed rounds: they begin {@link #records()}, and the simulated
   * time goes on from the last one's {@code sim_seconds}. Call before the first round.
   */
  void resumeAfter(List<RoundRecord> history) {
    records.addAll(history);
    if (!history.isEmpty()) {
      elapsed = history.get(history.size() - 1).metrics().get(SIM_SECONDS).orElse(0);
    }
  }

  /** Adds {@code sim_seconds} to {@code record} and keeps it, without passing it on; returns the timed record. */
  RoundRecord add(RoundRecord record) {
    RoundRecord timed = record;
    if (synchronous || record.metrics().get(SIM_SECONDS).isEmpty()) {
      if (synchronous && record.round() > 0) {
        elapsed += clock.longest(record.round() + "/train");
      }
      timed = new RoundRecord(record.round(), record.accuracy(), record.loss(), record.fedAccuracy(),
          record.fedLoss(), record.clientsOk(), record.clientsFailed(), record.seconds(), record.bytesUp(),
          record.bytesDown(), record.metrics().with(SIM_SECONDS, elapsed));
    }
    records.add(timed);
    return timed;
  }

  /** The records passed on so far, with {@code sim_seconds}. */
  List<RoundRecord> records() {
    return List.copyOf(records);
  }
}
