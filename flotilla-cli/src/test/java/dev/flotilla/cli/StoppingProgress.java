package dev.flotilla.cli;

import dev.flotilla.sim.SimulationProgress;
import dev.flotilla.workflow.RoundRecord;

/**
 * Progress for tests of stored simulations: it interrupts the simulation once a given round (an asynchronous run's
 * model version) is over and stored, as a crash right after a checkpoint would, by throwing from
 * {@link #roundDone}.
 */
final class StoppingProgress implements SimulationProgress {
  private final int last;

  private StoppingProgress(int last) {
    this.last = last;
  }

  /** Progress that stops the simulation with "interrupted after round {@code last}" once that round is stored. */
  static SimulationProgress after(int last) {
    return new StoppingProgress(last);
  }

  /** Progress that never stops the simulation. */
  static SimulationProgress never() {
    return new StoppingProgress(-1);
  }

  @Override
  public void started(long totalTasks, int rounds) {}

  @Override
  public void taskDone() {}

  @Override
  public void roundDone(RoundRecord record) {
    if (record.round() == last) {
      throw new IllegalStateException("interrupted after round " + last);
    }
  }

  @Override
  public void finished() {}
}
