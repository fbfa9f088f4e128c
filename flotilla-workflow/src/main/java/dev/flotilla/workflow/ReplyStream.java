package dev.flotilla.workflow;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientFailureException;
import dev.flotilla.core.strategy.ClientResult;
import dev.flotilla.core.strategy.ResultStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replies of one {@link Exchange}, as a workflow (or its strategy) iterates them: replies are queued as they
 * arrive and handed out until every client has answered or the deadline has passed. Each reply is converted and
 * checked here; failures become {@link ClientFailure}s: a lost connection {@code DISCONNECTED} (or the kind a
 * {@link ClientFailureException} names), an error reply {@code CLIENT_ERROR}, a corrupt or rejected result
 * {@code REJECTED}, silence past the deadline {@code TIMEOUT}. A reply's upload slot is released, and its lent arrays
 * given back ({@link ReplyAllowance#withLentArrays()}), when the iterator moves past it. The requests of clients
 * still silent when the deadline passes or the stream is closed are cancelled ({@link CompletableFuture#cancel}), so
 * that those clients stop working on them.
 *
 * <p>Threading: replies arrive on any thread; iteration, {@link #failures()} and {@link #close()} belong to the
 * workflow's thread.
 */
public final class ReplyStream<R> implements ResultStream<R>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReplyStream.class);
  private final String phase;
  private final Duration timeout;
  private final long deadline; // System.nanoTime()
  private final ReplyConverter<R> convert;
  private final AtomicInteger late;
  private final BlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();
  private final List<String> waitingFor = new ArrayList<>();
  private final Map<String, CompletableFuture<Reply>> requests = new HashMap<>(); // of the clients waited for
  private final List<ClientFailure> failures = new ArrayList<>();
  private boolean intakeClosed; // guarded by this
  private boolean iterated;
  private ClientResult<R> next;
  private Reply held; // the reply behind the result handed out last
  private int delivered;

  /**
   * @param phase   names the phase in log lines, such as {@code "round 3 training"}
   * @param timeout the time from now after which silent clients time out
   * @param convert turns a reply into a result, throwing with a reason if it is invalid
   * @param late    counts replies that arrive after the stream stopped taking them
   */
  ReplyStream(String phase, Duration timeout, ReplyConverter<R> convert, AtomicInteger late) {
    this.phase = phase;
    this.timeout = timeout;
    this.deadline = System.nanoTime() + timeout.toNanos();
    this.convert = convert;
    this.late = late;
  }

  /** Waits for {@code reply} from {@code clientId}. */
  void expect(String clientId, CompletableFuture<Reply> reply) {
    waitingFor.add(clientId);
    requests.put(clientId, reply);
    reply.whenComplete((r, error) -> arrive(new Arrival(clientId, r, error)));
  }

  /** Records a failure known before any request was sent. */
  void fail(String clientId, ClientFailure.Kind kind, String reason) {
    log.warn("{}: client '{}' failed ({}): {}", phase, clientId, kind, reason);
    failures.add(new ClientFailure(clientId, kind, reason));
  }

  /** Results handed out so far. */
  public int delivered() {
    return delivered;
  }

  @Override
  public List<ClientFailure> failures() {
    return List.copyOf(failures);
  }

  @Override
  public Iterator<ClientResult<R>> iterator() {
    if (iterated) {
      throw new IllegalStateException("the results of " + phase + " can be iterated once");
    }
    iterated = true;
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return advance();
      }

      @Override
      public ClientResult<R> next() {
        if (!advance()) {
          throw new NoSuchElementException("no more results in " + phase);
        }
        ClientResult<R> r = next;
        next = null;
        return r;
      }
    };
  }

  /**
   * Stops taking replies and releases those not handed out. Clients still silent are abandoned without counting as
   * failures (the strategy stopped before the round was over); their replies will be dropped as late.
   */
  @Override
  public void close() {
    closeIntake();
    cancelWaiting();
    release();
    next = null;
    for (Arrival a = arrivals.poll(); a != null; a = arrivals.poll()) {
      if (a.reply != null) {
        a.reply.close();
      }
    }
  }

  private boolean advance() {
    if (next != null) {
      return true;
    }
    release();
    while (true) {
      Arrival a = arrivals.poll();
      if (a == null) {
        if (waitingFor.isEmpty() || isIntakeClosed()) {
          timeOutTheRest();
          return false;
        }
        a = await();
        if (a == null) {
          continue;
        }
      }
      waitingFor.remove(a.clientId);
      requests.remove(a.clientId);
      next = classify(a);
      if (next != null) {
        held = a.reply;
        delivered++;
        return true;
      }
    }
  }

  /** The next arrival, or null once the deadline has passed (after which the intake is closed). */
  private Arrival await() {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      closeIntake();
      return null;
    }
    try {
      return arrivals.poll(left, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FlotillaException("interrupted while waiting for the results of " + phase, e);
    }
  }

  private ClientResult<R> classify(Arrival a) {
    if (a.error != null) {
      Throwable e = a.error instanceof CompletionException && a.error.getCause() != null ? a.error.getCause() : a.error;
      fail(a.clientId, e instanceof ClientFailureException c ? c.kind() : ClientFailure.Kind.DISCONNECTED,
          String.valueOf(e.getMessage()));
      return null;
    }
    Message m = a.reply.message();
    if (m.isError()) {
      a.reply.close();
      fail(a.clientId, ClientFailure.Kind.CLIENT_ERROR, MessageTypes.errorReason(m));
      return null;
    }
    try {
      return new ClientResult<>(a.clientId, convert.convert(a.clientId, m));
    } catch (RuntimeException e) {
      a.reply.close();
      fail(a.clientId, ClientFailure.Kind.REJECTED, String.valueOf(e.getMessage()));
      return null;
    }
  }

  private void timeOutTheRest() {
    closeIntake();
    for (String id : waitingFor) {
      fail(id, ClientFailure.Kind.TIMEOUT, "no result within the timeout of " + timeout.toMillis() / 1000.0 + " s");
    }
    cancelWaiting();
  }

  /** Cancels the requests of the clients still waited for, after the intake closed, and stops waiting for them. */
  private void cancelWaiting() {
    for (String id : waitingFor) {
      CompletableFuture<Reply> request = requests.get(id);
      if (request != null) {
        request.cancel(false);
      }
    }
    waitingFor.clear();
    requests.clear();
  }

  private void arrive(Arrival a) {
    synchronized (this) {
      if (!intakeClosed) {
        arrivals.add(a);
        return;
      }
    }
    if (a.reply != null) {
      late.incrementAndGet();
      a.reply.close();
      log.info("{}: dropped the late result of client '{}'", phase, a.clientId);
    }
  }

  private synchronized void closeIntake() {
    intakeClosed = true;
  }

  /** Whether the stream stopped taking replies: its deadline passed, or it was closed. */
  synchronized boolean isIntakeClosed() {
    return intakeClosed;
  }

  private void release() {
    if (held != null) {
      held.close();
      held = null;
    }
  }

  private record Arrival(String clientId, Reply reply, Throwable error) {}
}
