package dev.flotilla.workflow;

import dev.flotilla.core.message.Message;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientFailureException;
import java.util.Objects;
import java.util.Optional;
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
   *
   * <p>{@linkplain CompletableFuture#cancel Cancelling} the future tells the client to drop the request, or to stop
   * working on it, because its result can no longer count; a reply that comes anyway is released. A transport that
   * cannot reach the client for that (a virtual client) just forgets the reply.
   */
  CompletableFuture<Reply> request(Message request);

  /**
   * Sends {@code request} as {@link #request(Message)} does, and takes only a reply whose arrays {@code allowance}
   * allows: any other fails the future as {@code REJECTED}. A transport over a network refuses such a reply from its
   * header, before allocating memory for it, and closes the connection of the client that sent it. By default the
   * reply is checked once it has arrived, as an in-process client can do.
   */
  default CompletableFuture<Reply> request(Message request, ReplyAllowance allowance) {
    Objects.requireNonNull(allowance, "allowance");
    return request(request).thenApply(reply -> {
      Message m = reply.message();
      Optional<String> problem = allowance.problem(m.type(), m.arrays().specs());
      if (problem.isPresent()) {
        reply.close();
        throw new ClientFailureException(ClientFailure.Kind.REJECTED, problem.get());
      }
      return reply;
    });
  }

  /**
   * Sends {@code request} as {@link #request(Message, ReplyAllowance)} does, and runs {@code onReplyStart} once when
   * the client has begun to send its reply (its header arrived and was admitted): from then on the client no longer
   * works on the request, it only uploads the result. The callback runs on a thread of the transport and must not
   * block. It does not run if the request fails first; a transport that cannot tell when a reply begins (the default)
   * never runs it, and the caller learns of the reply from the future alone.
   */
  default CompletableFuture<Reply> request(Message request, ReplyAllowance allowance, Runnable onReplyStart) {
    Objects.requireNonNull(onReplyStart, "onReplyStart");
    return request(request, allowance);
  }

  /** Sends {@code message}, expecting no reply; the future completes once it is handed to the network. */
  CompletableFuture<Void> send(Message message);
}
