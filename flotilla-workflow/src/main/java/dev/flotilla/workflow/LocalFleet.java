package dev.flotilla.workflow;

import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.client.ClientMod;
import dev.flotilla.core.client.ClientRuntime;
import dev.flotilla.core.client.Context;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientFailureException;
import dev.flotilla.core.strategy.ClientInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;

/**
 * A fleet of clients in this JVM, for tests and benchmarks of strategies, workflows, stages and client apps without
 * a network: each client is a {@link ClientRuntime} (its app behind its mods, with a {@link Context} of its own) that
 * answers every request on an executor, by default on the thread that sends it, before {@code request} returns.
 * Messages are handed over as objects, never encoded. Unlike the simulated fleet of {@code flotilla-sim}, it has no
 * workers, data partitions or simulated clock: what a client does is exactly what its app does.
 *
 * <p>Faults can be injected per request: a client {@linkplain #drop drops} a request (it fails as
 * {@link ClientFailure.Kind#DISCONNECTED}, unanswered), {@linkplain #stall stalls} on it (it is never answered, as
 * a client that went quiet) or {@linkplain #leave leaves} at it (the request fails as a disconnection and the client
 * is gone from the fleet). The fleet keeps each client's last reply of each type and the time each client spent
 * answering, and tells a {@linkplain #onCancel listener} when the caller cancels a request, for inspection.
 *
 * <p>Threading: clients are added before the run; after that every method may be called from any thread. A client
 * answers one request at a time.
 */
public final class LocalFleet implements Fleet {
  private final Map<String, ClientRuntime> clients = new TreeMap<>();
  private final Executor answering;
  private final AtomicLong bytesReceived = new AtomicLong();
  private final AtomicLong bytesSent = new AtomicLong();
  private final Map<String, Message> lastReplies = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> answerNanos = new ConcurrentHashMap<>();
  private volatile BiPredicate<String, Message> drop = (id, m) -> false;
  private volatile BiPredicate<String, Message> stall = (id, m) -> false;
  private volatile BiPredicate<String, Message> leave = (id, m) -> false;
  private volatile BiConsumer<String, Message> onCancel = (id, m) -> { };

  /** A fleet whose clients answer on the caller's thread, before {@code request} returns. */
  public LocalFleet() {
    this(Runnable::run);
  }

  /** A fleet whose clients answer on {@code answering}'s threads, as remote clients would, while the caller goes on. */
  public LocalFleet(Executor answering) {
    this.answering = Objects.requireNonNull(answering, "answering");
  }

  /** Adds client {@code id} running {@code app} behind {@code mods}, with an empty node configuration. */
  public LocalFleet add(String id, ClientApp app, ClientMod... mods) {
    return add(id, Config.empty(), app, mods);
  }

  /**
   * Adds client {@code id} running {@code app} behind {@code mods} (the first sees a request first), with
   * {@code nodeConfig} as its node configuration (what a connected client says in its hello).
   *
   * @throws IllegalArgumentException if a client with this id was added before
   */
  public synchronized LocalFleet add(String id, Config nodeConfig, ClientApp app, ClientMod... mods) {
    Objects.requireNonNull(id, "id");
    if (clients.containsKey(id)) {
      throw new IllegalArgumentException("client '" + id + "' is already in the fleet");
    }
    clients.put(id, new ClientRuntime(app, List.of(mods), Context.of(id, nodeConfig)));
    answerNanos.put(id, new AtomicLong());
    return this;
  }

  /** From now on a client drops the requests for which {@code when(clientId, request)} holds: they fail unanswered. */
  public void drop(BiPredicate<String, Message> when) {
    this.drop = Objects.requireNonNull(when, "when");
  }

  /** From now on a client never answers the requests for which {@code when(clientId, request)} holds. */
  public void stall(BiPredicate<String, Message> when) {
    this.stall = Objects.requireNonNull(when, "when");
  }

  /**
   * From now on a client leaves at the requests for which {@code when(clientId, request)} holds: the request fails as
   * a disconnection, and the client is no longer listed, reachable or connected.
   */
  public void leave(BiPredicate<String, Message> when) {
    this.leave = Objects.requireNonNull(when, "when");
  }

  /** From now on {@code listener(clientId, request)} runs when the caller cancels the future of a request. */
  public void onCancel(BiConsumer<String, Message> listener) {
    this.onCancel = Objects.requireNonNull(listener, "listener");
  }

  /** The last reply of type {@code type} that client {@code id} gave, if any. */
  public Optional<Message> lastReply(String id, String type) {
    return Optional.ofNullable(lastReplies.get(id + " " + type));
  }

  /** The time client {@code id} has spent answering requests so far (its mods and app), zero for an unknown id. */
  public Duration answerTime(String id) {
    AtomicLong nanos = answerNanos.get(id);
    return Duration.ofNanos(nanos == null ? 0 : nanos.get());
  }

  @Override
  public synchronized List<ClientInfo> clients() {
    List<ClientInfo> out = new ArrayList<>(clients.size());
    clients.forEach((id, runtime) -> out.add(new ClientInfo(id, runtime.context().nodeConfig())));
    return List.copyOf(out);
  }

  @Override
  public synchronized Optional<ClientProxy> client(String id) {
    ClientRuntime runtime = clients.get(id);
    return runtime == null ? Optional.empty() : Optional.of(new LocalClient(id, runtime));
  }

  @Override
  public synchronized boolean awaitClients(int count, Duration timeout) {
    return clients.size() >= count;
  }

  @Override
  public long bytesReceived() {
    return bytesReceived.get();
  }

  @Override
  public long bytesSent() {
    return bytesSent.get();
  }

  /** Nothing to tell: the clients of this fleet do not wait for work. */
  @Override
  public CompletableFuture<Void> finish() {
    return CompletableFuture.completedFuture(null);
  }

  private final class LocalClient implements ClientProxy {
    private final String id;
    private final ClientRuntime runtime;

    LocalClient(String id, ClientRuntime runtime) {
      this.id = id;
      this.runtime = runtime;
    }

    @Override
    public ClientInfo info() {
      return new ClientInfo(id, runtime.context().nodeConfig());
    }

    @Override
    public boolean isConnected() {
      synchronized (LocalFleet.this) {
        return clients.get(id) == runtime;
      }
    }

    @Override
    public CompletableFuture<Reply> request(Message request) {
      CompletableFuture<Reply> reply = deliver(request);
      reply.whenComplete((r, e) -> {
        if (reply.isCancelled()) {
          onCancel.accept(id, request);
        }
      });
      return reply;
    }

    /** As the default, checked once the reply is in; cancelling the returned future cancels the request too. */
    @Override
    public CompletableFuture<Reply> request(Message request, ReplyAllowance allowance) {
      Objects.requireNonNull(allowance, "allowance");
      CompletableFuture<Reply> reply = request(request);
      CompletableFuture<Reply> checked = reply.thenApply(r -> {
        Optional<String> problem = allowance.problem(r.message().type(), r.message().arrays().specs());
        if (problem.isPresent()) {
          r.close();
          throw new ClientFailureException(ClientFailure.Kind.REJECTED, problem.get());
        }
        return r;
      });
      checked.whenComplete((r, e) -> {
        if (checked.isCancelled()) {
          reply.cancel(false);
        }
      });
      return checked;
    }

    private CompletableFuture<Reply> deliver(Message request) {
      if (!isConnected()) {
        return disconnected("client '" + id + "' has left the fleet");
      }
      if (stall.test(id, request)) {
        return new CompletableFuture<>();
      }
      if (leave.test(id, request)) {
        synchronized (LocalFleet.this) {
          clients.remove(id);
        }
        return disconnected("client '" + id + "' left at the '" + request.type() + "' request");
      }
      if (drop.test(id, request)) {
        return disconnected("client '" + id + "' dropped the '" + request.type() + "' request");
      }
      bytesSent.addAndGet(request.arrays().byteSize());
      return CompletableFuture.supplyAsync(() -> answer(request), answering);
    }

    private CompletableFuture<Reply> disconnected(String why) {
      return CompletableFuture.failedFuture(new ClientFailureException(ClientFailure.Kind.DISCONNECTED, why));
    }

    private Reply answer(Message request) {
      Message reply;
      long start = System.nanoTime();
      synchronized (runtime) {
        reply = runtime.handle(request);
      }
      answerNanos.get(id).addAndGet(System.nanoTime() - start);
      bytesReceived.addAndGet(reply.arrays().byteSize());
      lastReplies.put(id + " " + reply.type(), reply);
      return new Reply(reply, () -> { });
    }

    @Override
    public CompletableFuture<Void> send(Message message) {
      return CompletableFuture.completedFuture(null);
    }
  }
}
