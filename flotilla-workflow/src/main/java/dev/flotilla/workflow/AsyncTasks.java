package dev.flotilla.workflow;

import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientFailureException;
import dev.flotilla.core.strategy.ClientInfo;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training tasks an {@link AsyncWorkflow} has out, and the order in which their outcomes are taken. On real time,
 * outcomes come in the order the replies arrive. On a simulated clock ({@link TaskTimes}), each task has a simulated
 * finish time when it is sent, and outcomes come in the order of those times (ties by the order of sending), however
 * the worker threads that run the clients happen to finish: a simulation then repeats exactly.
 *
 * <p>Each reply is converted (and checked) on the workflow's thread as soon as it arrives and released at once, so
 * that a transport's upload slots (or a simulation's worker window) never wait for the simulated order; the converted
 * results wait here, at most one per task out. A task silent past its deadline fails as {@code TIMEOUT} and is
 * cancelled, which tells its client to stop.
 *
 * <p>Not thread-safe, except that replies may complete on any thread.
 */
final class AsyncTasks {
  private static final Logger log = LoggerFactory.getLogger(AsyncTasks.class);

  /** A task out: its client, the model version it started from, its simulated start and finish times. */
  record Task(long sequence, ClientInfo client, long version, double simStart, double simEnd, long deadlineNanos,
      CompletableFuture<Reply> reply) {}

  /** What became of a task: a result, or a failure. */
  record Outcome(Task task, TrainResult result, ClientFailure failure) {}

  private final BiFunction<Task, Message, TrainResult> convert;
  private final boolean simulated;
  private final Map<Long, Task> pending = new HashMap<>();
  private final TreeSet<Task> bySimulatedEnd = new TreeSet<>(
      Comparator.comparingDouble(Task::simEnd).thenComparingLong(Task::sequence));
  private final Map<Long, Outcome> ready = new LinkedHashMap<>(); // in order of arrival
  private final Set<String> busy = new HashSet<>();
  private final BlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();
  private long nextSequence;
  private int late;

  /**
   * @param convert   turns a task's reply into a result, throwing with a reason if it is unusable; runs on the
   *                  workflow's thread
   * @param simulated whether outcomes are taken by simulated finish time rather than by arrival
   */
  AsyncTasks(BiFunction<Task, Message, TrainResult> convert, boolean simulated) {
    this.convert = convert;
    this.simulated = simulated;
  }

  /** Tasks out. */
  int size() {
    return pending.size();
  }

  /** Whether {@code clientId} has a task out. */
  boolean isBusy(String clientId) {
    return busy.contains(clientId);
  }

  /** The clients that have a task out, as a copy. */
  Set<String> busyClients() {
    return Set.copyOf(busy);
  }

  /** Whether a task out started from model {@code version}. */
  boolean uses(long version) {
    return pending.values().stream().anyMatch(t -> t.version() == version);
  }

  /** Replies that came after their task had timed out, dropped. */
  int lateReplies() {
    return late;
  }

  /** Sends a task through {@code send}, which returns its reply; the task finishes at {@code simEnd}. */
  void add(ClientInfo client, long version, double simStart, double simEnd, long deadlineNanos,
      Supplier<CompletableFuture<Reply>> send) {
    long sequence = nextSequence++;
    CompletableFuture<Reply> reply;
    try {
      reply = send.get();
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    Task task = new Task(sequence, client, version, simStart, simEnd, deadlineNanos, reply);
    pending.put(sequence, task);
    bySimulatedEnd.add(task);
    busy.add(client.id());
    reply.whenComplete((r, error) -> arrivals.add(new Arrival(sequence, r, error)));
  }

  /**
   * The next outcome: the task with the earliest simulated finish, or on real time the first to be answered (or to
   * pass its deadline). Blocks until it is known.
   *
   * @throws IllegalStateException if no task is out
   * @throws InterruptedException  if interrupted while waiting
   */
  Outcome next() throws InterruptedException {
    if (pending.isEmpty()) {
      throw new IllegalStateException("no task is out");
    }
    while (true) {
      Outcome o = simulated ? ready.remove(bySimulatedEnd.first().sequence()) : first();
      if (o != null) {
        pending.remove(o.task().sequence());
        bySimulatedEnd.remove(o.task());
        busy.remove(o.task().client().id());
        return o;
      }
      Task soonest = null;
      for (Task t : pending.values()) {
        if (!ready.containsKey(t.sequence()) && (soonest == null || t.deadlineNanos() < soonest.deadlineNanos())) {
          soonest = t;
        }
      }
      long wait = soonest.deadlineNanos() - System.nanoTime();
      if (wait <= 0) {
        soonest.reply().cancel(false);
        ready.put(soonest.sequence(), new Outcome(soonest, null, new ClientFailure(soonest.client().id(),
            ClientFailure.Kind.TIMEOUT, "no result within the task timeout")));
        continue;
      }
      Arrival a = arrivals.poll(wait, TimeUnit.NANOSECONDS);
      if (a != null) {
        take(a);
      }
    }
  }

  /** Cancels every task out, telling their clients to stop; their replies are dropped. */
  void cancelAll() {
    for (Task t : pending.values()) {
      t.reply().cancel(false);
    }
    pending.clear();
    bySimulatedEnd.clear();
    busy.clear();
    for (Outcome o : ready.values()) {
      log.debug("dropped the outcome of client '{}' at the end of the run", o.task().client().id());
    }
    ready.clear();
    for (Arrival a = arrivals.poll(); a != null; a = arrivals.poll()) {
      if (a.reply != null) {
        a.reply.close();
      }
    }
  }

  private Outcome first() {
    Iterator<Outcome> it = ready.values().iterator();
    if (!it.hasNext()) {
      return null;
    }
    Outcome o = it.next();
    it.remove();
    return o;
  }

  private void take(Arrival a) {
    Task task = pending.get(a.sequence);
    if (task == null || ready.containsKey(a.sequence)) {
      if (a.reply != null) { // after its timeout, or after the run ended
        late++;
        a.reply.close();
        log.info("dropped the late result of a task");
      }
      return;
    }
    String id = task.client().id();
    if (a.error != null) {
      Throwable e = a.error instanceof CompletionException && a.error.getCause() != null ? a.error.getCause() : a.error;
      ClientFailure.Kind kind = e instanceof ClientFailureException c ? c.kind()
          : e instanceof CancellationException ? ClientFailure.Kind.TIMEOUT : ClientFailure.Kind.DISCONNECTED;
      ready.put(a.sequence, new Outcome(task, null, new ClientFailure(id, kind, String.valueOf(e.getMessage()))));
      return;
    }
    try (Reply reply = a.reply) {
      Message m = reply.message();
      if (m.isError()) {
        ready.put(a.sequence, new Outcome(task, null,
            new ClientFailure(id, ClientFailure.Kind.CLIENT_ERROR, MessageTypes.errorReason(m))));
        return;
      }
      ready.put(a.sequence, new Outcome(task, convert.apply(task, m), null));
    } catch (RuntimeException e) {
      ready.put(a.sequence, new Outcome(task, null,
          new ClientFailure(id, ClientFailure.Kind.REJECTED, String.valueOf(e.getMessage()))));
    }
  }

  private record Arrival(long sequence, Reply reply, Throwable error) {}
}
