package dev.flotilla.sim;

import dev.flotilla.core.client.ClientApp;

/**
 * Makes the {@link ClientApp} of a virtual client for one task (one train or evaluate request). The simulation calls
 * it on a worker thread each time a client has a task, hands the request to the app through the same dispatcher a
 * deployed client uses, and then, if the app is {@link AutoCloseable}, closes it. So memory holds one app per busy
 * worker, never one per registered client.
 *
 * <p>Implementations are called from several workers at once and must be thread-safe; they should share read-only
 * data (for example a whole data set, viewed through the client's indices) rather than copy it.
 */
@FunctionalInterface
public interface ClientAppFactory {
  /**
   * The app that serves {@code client}'s next task. An exception thrown here is reported to the server as that
   * client's error, as an exception thrown by a deployed app is.
   */
  ClientApp create(VirtualClient client);
}
