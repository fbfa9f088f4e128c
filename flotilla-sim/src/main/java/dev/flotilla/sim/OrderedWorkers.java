package dev.flotilla.sim;

import dev.flotilla.core.message.Message;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientFailureException;
import dev.flotilla.workflow.Reply;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the tasks of virtual clients on a fixed set of worker threads and delivers their replies <em>in the order the
 * tasks were submitted</em>, whichever worker finishes first. A round's results therefore reach the strategy in the
 * same order in every run, and floating-point aggregation (whose sums depend on order) gives the same bits: this is
 * what makes a simulation repeat to the last digit.
 *
 * <p>Memory is bounded like a server's upload slots: a task holds one of {@code window} slots from its start until
 * its {@link Reply} is {@linkplain Reply#close() closed} (the workflow closes each reply once the strategy moved past
 * it), and no task starts while all slots are held. At most {@code window} results are held at once, however many
 * clients a round samples. Tasks start in submission order, so the oldest undelivered task has always started and
 * delivery never waits for a task that lacks a slot; a consumer that never closes its replies, though, stalls the
 * workers, as it would stall uploads on a server.
 *
 * <p>Thread-safe. Replies are completed under this object's lock, so the callbacks of their futures must not block.
 */
final class OrderedWorkers implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OrderedWorkers.class);
  private final int window;
  private final List<Thread> threads = new ArrayList<>();
  private final ArrayDeque<Task> queue = new ArrayDeque<>(); // guarded by this: not started, in submission order
  private final Map<Long, Task> done = new HashMap<>(); // guarded by this: finished, waiting for earlier tasks
  private long nextSequence; // guarded by this
  private long nextDelivery; // guarded by this: the oldest task not yet delivered
  private int held; // guarded by this: slots held by tasks started and whose reply is not closed
  private boolean closed; // guarded by this

  /**
   * Starts {@code workers} threads named {@code name-1}, {@code name-2}…
   *
   * @param window results that may be in progress or held at once; at least {@code workers} keeps every worker busy
   */
  OrderedWorkers(int workers, int window, String name) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be >= 1, got " + workers);
    }
    if (window < 1) {
      throw new IllegalArgumentException("window must be >= 1, got " + window);
    }
    this.window = window;
    for (int i = 1; i <= workers; i++) {
      Thread t = new Thread(this::work, name + "-" + i);
      t.setDaemon(true);
      threads.add(t);
    }
    threads.forEach(Thread::start);
  }

  /**
   * Queues {@code task}, which runs on a worker and returns the reply message. The future completes after the futures
   * of all earlier tasks, with a reply that holds a slot until closed; it fails with what the task threw, or with a
   * {@link ClientFailureException} (disconnected) if the workers are closed first.
   */
  synchronized CompletableFuture<Reply> submit(Supplier<Message> task) {
    CompletableFuture<Reply> future = new CompletableFuture<>();
    if (closed) {
      future.completeExceptionally(new ClientFailureException(ClientFailure.Kind.DISCONNECTED, "the simulation has ended"));
      return future;
    }
    queue.add(new Task(nextSequence++, task, future));
    notifyAll();
    return future;
  }

  /** Number of worker threads. */
  int workers() {
    return threads.size();
  }

  /** Stops the workers, failing every task not yet delivered with a {@link ClientFailureException} (disconnected). */
  @Override
  public void close() {
    List<Task> abandoned;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      abandoned = new ArrayList<>(queue);
      abandoned.addAll(done.values());
      queue.clear();
      done.clear();
      notifyAll();
    }
    threads.forEach(Thread::interrupt);
    for (Task t : abandoned) {
      t.future.completeExceptionally(new ClientFailureException(ClientFailure.Kind.DISCONNECTED, "the simulation has ended"));
    }
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void work() {
    while (true) {
      Task task;
      synchronized (this) {
        while (!closed && !canStart()) {
          try {
            wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed) {
          return;
        }
        task = queue.poll();
        held++;
      }
      try {
        task.reply = task.work.get();
      } catch (RuntimeException | Error e) {
        log.error("a virtual client's task failed outside its app", e);
        task.error = e;
      }
      finished(task);
    }
  }

  private boolean canStart() {
    return !queue.isEmpty() && held < window;
  }

  private synchronized void finished(Task task) {
    if (closed) {
      task.future.completeExceptionally(new ClientFailureException(ClientFailure.Kind.DISCONNECTED, "the simulation has ended"));
      return;
    }
    done.put(task.sequence, task);
    for (Task t = done.remove(nextDelivery); t != null; t = done.remove(nextDelivery)) {
      nextDelivery++;
      if (t.error != null) {
        held--;
        t.future.completeExceptionally(t.error);
      } else {
        t.future.complete(new Reply(t.reply, this::release));
      }
    }
    notifyAll();
  }

  private synchronized void release() {
    held--;
    notifyAll();
  }

  /** One task: its place in submission order, its work, and once run, its outcome. */
  private static final class Task {
    final long sequence;
    final Supplier<Message> work;
    final CompletableFuture<Reply> future;
    Message reply; // written by the worker before the task is handed over under the lock
    Throwable error;

    Task(long sequence, Supplier<Message> work, CompletableFuture<Reply> future) {
      this.sequence = sequence;
      this.work = work;
      this.future = future;
    }
  }
}
