package dev.flotilla.server;

import dev.flotilla.workflow.Reply;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The requests sent on one connection that still await their reply, by message id. Thread-safe. */
final class PendingRequests {
  private final AtomicLong lastId = new AtomicLong();
  private final Map<Long, CompletableFuture<Reply>> open = new ConcurrentHashMap<>();

  /** A fresh message id for this connection's outgoing messages. */
  long nextId() {
    return lastId.incrementAndGet();
  }

  /** Registers request {@code id} and returns the future its reply will complete. */
  CompletableFuture<Reply> open(long id) {
    CompletableFuture<Reply> reply = new CompletableFuture<>();
    open.put(id, reply);
    return reply;
  }

  /**
   * Completes request {@code replyTo} with {@code reply}. Returns false if no such request is open, in which case
   * the caller still owns the reply and must close it.
   */
  boolean complete(long replyTo, Reply reply) {
    CompletableFuture<Reply> request = replyTo == 0 ? null : open.remove(replyTo);
    return request != null && request.complete(reply);
  }

  /** Fails request {@code id}, if it is open, with {@code error}. */
  void fail(long id, Throwable error) {
    CompletableFuture<Reply> request = open.remove(id);
    if (request != null) {
      request.completeExceptionally(error);
    }
  }

  /** Fails every open request with {@code error}. */
  void failAll(Throwable error) {
    open.keySet().forEach(id -> fail(id, error));
  }
}
