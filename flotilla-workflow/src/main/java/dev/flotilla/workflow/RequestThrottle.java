package dev.flotilla.workflow;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Sends the requests of one {@link Exchange} with at most a given number outstanding: the first ones at once, then
 * the next as soon as an outstanding one is answered or fails, or its reply begins to arrive (the client is then
 * done with the work and only uploads, so the next client's request and model travel while it does). Requests still queued when {@code open} turns false
 * (the deadline passed, or the stream stopped taking replies) are never sent; their clients count as timed out.
 * Cancelling a request's reply future cancels the request that was sent for it.
 *
 * <p>Threading: {@link #start()} runs on the workflow's thread, later sends on whichever thread completed a reply.
 * Sends never run under this object's lock, and only one thread sends at a time, so a fleet that answers on the
 * calling thread does not recurse.
 */
final class RequestThrottle {
  /**
   * A request waiting to be sent: {@code send} sends it with the callback to run when its reply begins to arrive
   * (see {@link ClientProxy#request(dev.flotilla.core.message.Message, ReplyAllowance, Runnable)}) and returns the
   * reply, which is then passed on to {@code reply}.
   */
  record Queued(Function<Runnable, CompletableFuture<Reply>> send, CompletableFuture<Reply> reply) {}

  private final int limit;
  private final BooleanSupplier open;
  private final Queue<Queued> queue = new ArrayDeque<>(); // guarded by this
  private int outstanding; // guarded by this
  private boolean sending; // guarded by this: a thread is in drain()'s loop

  /**
   * @param limit how many requests may be outstanding at once, >= 1
   * @param open  whether queued requests may still be sent
   */
  RequestThrottle(int limit, BooleanSupplier open) {
    if (limit < 1) {
      throw new IllegalArgumentException("the limit of outstanding requests must be >= 1, got " + limit);
    }
    this.limit = limit;
    this.open = open;
  }

  /** Queues a request; nothing is sent before {@link #start()}. */
  synchronized void add(Queued request) {
    queue.add(request);
  }

  /** Sends the first requests, up to the limit. */
  void start() {
    drain();
  }

  private void drain() {
    synchronized (this) {
      if (sending) {
        return; // the sending thread re-checks the queue before it stops
      }
      sending = true;
    }
    while (true) {
      Queued next;
      synchronized (this) {
        if (outstanding >= limit || queue.isEmpty() || !open.getAsBoolean()) {
          sending = false;
          return;
        }
        next = queue.poll();
        outstanding++;
      }
      AtomicBoolean counted = new AtomicBoolean(true); // outstanding until its reply begins or ends
      Runnable done = () -> {
        if (counted.getAndSet(false)) {
          synchronized (this) {
            outstanding--;
          }
          drain();
        }
      };
      CompletableFuture<Reply> sent;
      try {
        sent = next.send().apply(done);
      } catch (RuntimeException e) {
        sent = CompletableFuture.failedFuture(e);
      }
      CompletableFuture<Reply> target = next.reply();
      CompletableFuture<Reply> inner = sent;
      // cancelling the exchange's future (its deadline passed) cancels the request, which tells the client to stop
      target.whenComplete((reply, error) -> {
        if (target.isCancelled()) {
          inner.cancel(false);
        }
      });
      sent.whenComplete((reply, error) -> {
        if (error != null) {
          target.completeExceptionally(error);
        } else if (!target.complete(reply)) {
          reply.close(); // nobody takes it any more: give its upload slot back
        }
        done.run();
      });
    }
  }
}
