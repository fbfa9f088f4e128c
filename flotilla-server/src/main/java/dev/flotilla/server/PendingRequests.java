package dev.flotilla.server;

import dev.flotilla.workflow.Reply;
import dev.flotilla.workflow.ReplyAllowance;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The requests sent on one connection that still await their reply, by message id, each with what its reply may
 * carry. A request whose future was cancelled stays open until the client answers it (with a {@code CANCELLED}
 * error, or with a result that crossed the cancel); that answer is then released. Thread-safe.
 */
final class PendingRequests {
  private final AtomicLong lastId = new AtomicLong();
  private final Map<Long, Open> open = new ConcurrentHashMap<>();

  /** A fresh message id for this connection's outgoing messages. */
  long nextId() {
    return lastId.incrementAndGet();
  }

  /** Registers request {@code id}, whose reply {@code allowance} allows, and returns the future its reply completes. */
  CompletableFuture<Reply> open(long id, ReplyAllowance allowance) {
    return open(id, allowance, null);
  }

  /**
   * As {@link #open(long, ReplyAllowance)}, with {@code onReplyStart} (or null) to run once by {@link #started} when
   * the reply begins to arrive.
   */
  CompletableFuture<Reply> open(long id, ReplyAllowance allowance, Runnable onReplyStart) {
    CompletableFuture<Reply> reply = new CompletableFuture<>();
    open.put(id, new Open(reply, allowance, onReplyStart == null ? null : new AtomicReference<>(onReplyStart)));
    return reply;
  }

  /**
   * Request {@code replyTo}'s reply has begun to arrive: runs its start callback, if it has one and it has not run
   * yet. The callback runs on the calling thread.
   */
  void started(long replyTo) {
    Open o = replyTo == 0 ? null : open.get(replyTo);
    if (o != null && o.onStart() != null) {
      Runnable callback = o.onStart().getAndSet(null);
      if (callback != null) {
        callback.run();
      }
    }
  }

  /** What the reply to request {@code replyTo} may carry, if that request is open. */
  Optional<ReplyAllowance> allowance(long replyTo) {
    Open o = replyTo == 0 ? null : open.get(replyTo);
    return o == null ? Optional.empty() : Optional.of(o.allowance());
  }

  /** Whether request {@code id} still awaits its reply. */
  boolean isOpen(long id) {
    return open.containsKey(id);
  }

  /**
   * Completes request {@code replyTo} with {@code reply}, or releases the reply if the request was cancelled.
   * Returns false if no such request is open, in which case the caller still owns the reply and must close it.
   */
  boolean complete(long replyTo, Reply reply) {
    Open request = replyTo == 0 ? null : open.remove(replyTo);
    if (request == null) {
      return false;
    }
    if (!request.reply().complete(reply)) {
      reply.close(); // cancelled: nobody waits for it any more
    }
    return true;
  }

  /** Fails request {@code id}, if it is open, with {@code error}. */
  void fail(long id, Throwable error) {
    Open request = open.remove(id);
    if (request != null) {
      request.reply().completeExceptionally(error);
    }
  }

  /** Fails every open request with {@code error}. */
  void failAll(Throwable error) {
    open.keySet().forEach(id -> fail(id, error));
  }

  private record Open(CompletableFuture<Reply> reply, ReplyAllowance allowance, AtomicReference<Runnable> onStart) {}
}
