package dev.flotilla.sim;

import dev.flotilla.workflow.RoundRecord;

/**
 * Told how a {@link Simulation} advances, for example to draw a progress bar and print a line per round. Methods
 * other than {@link #taskDone()} are called on the simulation's thread; none may throw.
 */
public interface SimulationProgress {
  /** Nothing to show. */
  static SimulationProgress silent() {
    return new SimulationProgress() { };
  }

  /** The run starts: {@code totalTasks} client tasks (training and evaluation) over {@code rounds} rounds. */
  default void started(long totalTasks, int rounds) { }

  /** A virtual client finished a task. Called on worker threads, concurrently; must be quick. */
  default void taskDone() { }

  /** A round is over (round 0 is the evaluation of the initial model). */
  default void roundDone(RoundRecord record) { }

  /** The run is over, normally or not. */
  default void finished() { }
}
