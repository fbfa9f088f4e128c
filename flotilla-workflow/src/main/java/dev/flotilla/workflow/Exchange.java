package dev.flotilla.workflow;

import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.Metadata;
import dev.flotilla.core.strategy.ClientFailure;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The exchange primitive every workflow is written on: send one message to each of a set of clients of a
 * {@link Fleet}, and consume their replies as a {@link ReplyStream} under one deadline, failures as data. A
 * synchronous round is two exchanges (train, evaluate); a secure-aggregation round is several; an asynchronous
 * workflow runs many small ones.
 *
 * <p>Each request gets the exchange's deadline in its {@link Metadata} (unless it carries an earlier one), so a
 * client can drop work that can no longer count; each reply must fit its request's {@link ReplyAllowance}. When the
 * deadline passes, or the stream is closed first, the requests still unanswered are cancelled, which tells their
 * clients to stop working on them. Replies that come after their stream stopped taking them are counted by
 * {@link #lateReplies()} and released.
 *
 * <p>An exchange may cap how many of its requests are outstanding at once ({@code maxOutstanding}): it sends that
 * many, then the next as soon as one is answered or fails. This is for clients that share cores, such as client
 * processes on the server's host, which train faster one after another than all at once. The deadline is the same for
 * every request, sent first or last; a request still unsent at the deadline is not sent and its client times out.
 *
 * <p>Threading: {@link #send} and the returned streams belong to the workflow's thread; replies arrive on any thread.
 */
public final class Exchange {
  private final Fleet fleet;
  private final AtomicInteger late = new AtomicInteger();

  /** An exchange over the clients of {@code fleet}. */
  public Exchange(Fleet fleet) {
    this.fleet = Objects.requireNonNull(fleet, "fleet");
  }

  /** The fleet this exchange reaches. */
  public Fleet fleet() {
    return fleet;
  }

  /**
   * Sends every request and returns the stream of replies, converted by {@code convert}. A client that is not
   * connected fails at once as {@code DISCONNECTED}; one silent past {@code timeout} as {@code TIMEOUT}. The caller
   * must {@linkplain ReplyStream#close() close} the stream.
   *
   * @param phase names the exchange in log lines and failure reasons, such as {@code "round 3 training"}
   */
  public <R> ReplyStream<R> send(String phase, List<ClientRequest> requests, Duration timeout,
      ReplyConverter<R> convert) {
    return send(phase, requests, timeout, Integer.MAX_VALUE, convert);
  }

  /**
   * As {@link #send(String, List, Duration, ReplyConverter)}, with at most {@code maxOutstanding} clients working on
   * a request at any time; the others are sent in order as replies begin to arrive (a client that uploads its result
   * no longer counts) or requests fail.
   *
   * @throws IllegalArgumentException if {@code maxOutstanding < 1}
   */
  public <R> ReplyStream<R> send(String phase, List<ClientRequest> requests, Duration timeout, int maxOutstanding,
      ReplyConverter<R> convert) {
    long deadlineMillis = System.currentTimeMillis() + timeout.toMillis();
    ReplyStream<R> stream = new ReplyStream<>(phase, timeout, convert, late);
    RequestThrottle throttle = new RequestThrottle(maxOutstanding,
        () -> !stream.isIntakeClosed() && System.currentTimeMillis() < deadlineMillis);
    for (ClientRequest request : requests) {
      Optional<ClientProxy> client = fleet.client(request.clientId());
      if (client.isEmpty()) {
        stream.fail(request.clientId(), ClientFailure.Kind.DISCONNECTED, "not connected when " + phase + " started");
      } else {
        Message message = withDeadline(request.message(), deadlineMillis);
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        stream.expect(request.clientId(), reply);
        throttle.add(new RequestThrottle.Queued(
            onReplyStart -> client.get().request(message, request.allowance(), onReplyStart), reply));
      }
    }
    throttle.start();
    return stream;
  }

  /** Replies that arrived after their stream had stopped taking them, since this exchange was made. */
  public int lateReplies() {
    return late.get();
  }

  private static Message withDeadline(Message m, long deadlineMillis) {
    Metadata md = m.metadata();
    if (md.hasDeadline() && md.deadlineMillis() <= deadlineMillis) {
      return m;
    }
    return m.withMetadata(new Metadata(md.messageId(), md.replyTo(), md.group(), md.modelVersion(), deadlineMillis));
  }
}
