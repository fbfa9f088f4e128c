package dev.flotilla.workflow;

import dev.flotilla.core.message.Message;
import dev.flotilla.core.strategy.ClientInfo;
import java.util.concurrent.CompletableFuture;

/**
 * The server's handle on one client of a {@link Fleet}: workflows send it requests and get replies, without seeing
 * the transport (a gRPC connection, or a virtual client in a simulation).
 *
 * <p>Threading: thread-safe. Requests are sent in call order, one after another, by a thread of the server's (or, for
 * a virtual client, run on a worker of the simulation); the calls here never block.
 */
public interface ClientProxy {
  /** Who the client is, as it said in its hello. */
  ClientInfo info();

  /** The client's id. */
  default String id() {
    return info().id();
  }

  /** Whether the connection is still open. */
  boolean isConnected();

  /**
   * Sends {@code request} and returns its reply. The future fails with a
   * {@link dev.flotilla.core.strategy.ClientFailureException} of kind {@code DISCONNECTED} if the connection ends
   * first, or {@code REJECTED} if the reply arrived corrupt. It never times out by itself: the caller applies its own
   * deadline. The caller must {@linkplain Reply#close() close} the reply.
   */
  CompletableFuture<Reply> request(Message request);

  /** Sends {@code message}, expecting no reply; the future completes once it is handed to the network. */
  CompletableFuture<Void> send(Message message);
}
