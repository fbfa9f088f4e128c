package dev.flotilla.store;

/** Where a stored run stands. */
public enum RunStatus {
  /** Started and not ended: running now, or stopped without ending (killed); {@code --resume} goes on with it. */
  RUNNING,
  /** Ran its last round (or stopped early by its strategy, such as at a privacy budget). */
  FINISHED,
  /** Ended on an error; {@code --resume} goes on with it from its last completed round. */
  FAILED
}
