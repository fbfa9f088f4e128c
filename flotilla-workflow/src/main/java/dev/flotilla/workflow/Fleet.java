package dev.flotilla.workflow;

import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.strategy.ClientInfo;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The clients a workflow can reach, however they are reached. Workflows such as
 * {@link dev.flotilla.workflow.SyncWorkflow} depend on this interface only, so the same round loop drives
 * clients connected over gRPC ({@link ClientRegistry}) and virtual clients running in this JVM (the simulated fleet
 * of {@code flotilla-sim}); the only difference between deployment and simulation is whether messages cross a socket.
 *
 * <p>Implementations are thread-safe.
 */
public interface Fleet {
  /** The clients available now, sorted by id. The list is immutable and may be shared between calls. */
  List<ClientInfo> clients();

  /** The available client with {@code id}, if any. */
  Optional<ClientProxy> client(String id);

  /** Number of available clients. */
  default int size() {
    return clients().size();
  }

  /**
   * Waits until at least {@code count} clients are available; false if {@code timeout} passed first.
   *
   * @throws InterruptedException if the calling thread is interrupted while waiting
   */
  boolean awaitClients(int count, Duration timeout) throws InterruptedException;

  /** Array bytes received from all clients so far (what crossed, or in a simulation would have crossed, the wire). */
  long bytesReceived();

  /** Array bytes sent to all clients so far. */
  long bytesSent();

  /**
   * Ends the run for every client: from now on each is told {@link MessageTypes#FINISH}, so that none waits for work
   * that will not come. The future completes when the clients available now have been told (or could not be).
   */
  CompletableFuture<Void> finish();
}
