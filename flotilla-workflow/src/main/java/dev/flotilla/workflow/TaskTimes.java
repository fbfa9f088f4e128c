package dev.flotilla.workflow;

import dev.flotilla.core.message.Message;
import dev.flotilla.core.strategy.ClientInfo;

/**
 * How long a client's task takes on a simulated clock, from the request leaving the server to its reply arriving.
 * Given one, {@link AsyncWorkflow} runs on simulated time: it takes results in the order of their simulated finish
 * times, not in the order worker threads happen to finish them, so a simulation repeats exactly, and it records
 * {@code sim_seconds} for each model version. Implementations must be deterministic and quick; they are called on the
 * workflow's thread.
 */
@FunctionalInterface
public interface TaskTimes {
  /** Simulated seconds, finite and {@code >= 0}, that {@code client} takes to answer {@code request}. */
  double seconds(ClientInfo client, Message request);
}
