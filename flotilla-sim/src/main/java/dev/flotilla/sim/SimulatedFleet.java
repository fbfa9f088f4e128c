package dev.flotilla.sim;

import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.client.ClientMod;
import dev.flotilla.core.client.ClientRuntime;
import dev.flotilla.core.client.ClientState;
import dev.flotilla.core.client.Context;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientFailureException;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.workflow.ClientProxy;
import dev.flotilla.workflow.Fleet;
import dev.flotilla.workflow.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Fleet} of virtual clients in this JVM, for simulation. A workflow drives it exactly as it drives the
 * clients of a gRPC server: a request to a virtual client is run on a worker thread, where the client's
 * {@link ClientApp} (made by a {@link ClientAppFactory} for that task), behind the fleet's {@link ClientMod}s, receives
 * it through the {@link ClientRuntime} that a deployed {@code FlotillaClient} uses, and the reply comes back as a
 * {@link Reply}. Only the socket is missing: messages are handed over as objects, and the global model is shared (it
 * is immutable) instead of copied once per client.
 *
 * <p>State: each virtual client has one {@link Context} for the whole run, made when it gets its first request, so an
 * app or mod that keeps its state in the context behaves as it does in a deployment, where one client process keeps
 * one context.
 *
 * <p>Scale: a registered client costs its {@link VirtualClient} (id, seed, indices) and nothing more until it is
 * first sampled, then its context; time and memory per round depend on the clients sampled. Workers are a fixed pool, one per core by default, and with one
 * intra-op thread per training engine (the default of {@code PyTorchRuntime}) the cores are kept busy without being
 * oversubscribed. At most {@code 2 × workers} results are in progress or waiting for the strategy at once.
 *
 * <p>Determinism: replies are delivered in the order the requests were sent, whichever worker finishes first, so a
 * strategy sees the same results in the same order in every run (see {@link OrderedWorkers}).
 *
 * <p>Traffic: {@link #bytesSent()} and {@link #bytesReceived()} count the array bytes of requests and replies, what a
 * deployment would move over the network. Thread-safe. {@link #close()} stops the workers.
 */
public final class SimulatedFleet implements Fleet, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SimulatedFleet.class);
  private final List<ClientInfo> infos;
  private final Map<String, VirtualClient> byId;
  private final ClientAppFactory apps;
  private final Function<VirtualClient, List<ClientMod>> mods;
  private final Map<String, ClientSlot> slots = new ConcurrentHashMap<>();
  private final TaskListener listener;
  private final OrderedWorkers workers;
  private final LongAdder bytesReceived = new LongAdder();
  private final LongAdder bytesSent = new LongAdder();
  private final SimulatedClock clock;
  private volatile boolean finished;

  /** Told each time a virtual client has answered a request, for progress displays. */
  @FunctionalInterface
  public interface TaskListener {
    /**
     * {@code clientId} answered a request of type {@code requestType} (such as {@code train}). Called on a worker
     * thread; must be quick and must not throw.
     */
    void taskDone(String clientId, String requestType);
  }

  /** A fleet of {@code clients} run by {@code workers} threads, without mods or a task listener. */
  public SimulatedFleet(List<VirtualClient> clients, ClientAppFactory apps, int workers) {
    this(clients, apps, c -> List.of(), workers, (id, type) -> { });
  }

  /**
   * A fleet of {@code clients} whose apps {@code apps} makes, each behind the mods {@code mods} gives for it (the
   * first outermost; asked once per client, when it gets its first request, as a deployed client is configured
   * once), run by {@code workers} threads (started now).
   *
   * @throws IllegalArgumentException if there are no clients, two share an id, or {@code workers < 1}
   */
  public SimulatedFleet(List<VirtualClient> clients, ClientAppFactory apps,
      Function<VirtualClient, List<ClientMod>> mods, int workers, TaskListener listener) {
    this(clients, apps, mods, workers, listener, null);
  }

  /**
   * As {@link #SimulatedFleet(List, ClientAppFactory, Function, int, TaskListener)}, with the simulated time of
   * training tasks kept by {@code clock} (null for none): a task whose simulated time exceeds the clock's timeout
   * fails at once as {@code TIMEOUT}, without training, as a site that slow would have been dropped.
   */
  public SimulatedFleet(List<VirtualClient> clients, ClientAppFactory apps,
      Function<VirtualClient, List<ClientMod>> mods, int workers, TaskListener listener, SimulatedClock clock) {
    this.clock = clock;
    if (clients.isEmpty()) {
      throw new IllegalArgumentException("a simulated fleet needs at least one virtual client");
    }
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be >= 1, got " + workers);
    }
    this.apps = Objects.requireNonNull(apps, "apps");
    this.mods = Objects.requireNonNull(mods, "mods");
    this.listener = Objects.requireNonNull(listener, "listener");
    Map<String, VirtualClient> map = new HashMap<>(clients.size() * 2);
    List<ClientInfo> list = new ArrayList<>(clients.size());
    for (VirtualClient c : clients) {
      if (map.put(c.id(), c) != null) {
        throw new IllegalArgumentException("two virtual clients have the id '" + c.id() + "'");
      }
      list.add(c.info());
    }
    list.sort(Comparator.comparing(ClientInfo::id));
    this.infos = List.copyOf(list);
    this.byId = Map.copyOf(map);
    this.workers = new OrderedWorkers(workers, 2 * workers, "flotilla-sim-worker");
  }

  /** Number of worker threads. */
  public int workers() {
    return workers.workers();
  }

  /** Every virtual client, sorted by id (virtual clients are always available). */
  @Override
  public List<ClientInfo> clients() {
    return infos;
  }

  @Override
  public Optional<ClientProxy> client(String id) {
    VirtualClient c = byId.get(id);
    return c == null ? Optional.empty() : Optional.of(new VirtualProxy(c));
  }

  @Override
  public int size() {
    return infos.size();
  }

  /** True at once if the fleet has {@code count} clients; otherwise false after {@code timeout}, as none will join. */
  @Override
  public boolean awaitClients(int count, Duration timeout) throws InterruptedException {
    if (infos.size() >= count) {
      return true;
    }
    log.warn("a simulated fleet of {} clients will never have {}", infos.size(), count);
    TimeUnit.NANOSECONDS.sleep(timeout.toNanos());
    return false;
  }

  @Override
  public long bytesReceived() {
    return bytesReceived.sum();
  }

  @Override
  public long bytesSent() {
    return bytesSent.sum();
  }

  /** Marks the run as over; virtual clients have nothing to disconnect, so this completes at once. */
  @Override
  public CompletableFuture<Void> finish() {
    finished = true;
    return CompletableFuture.completedFuture(null);
  }

  /** Number of virtual clients that have a context, those that received at least one request. */
  public int clientsWithState() {
    return slots.size();
  }

  /** Whether {@link #finish()} was called. */
  public boolean isFinished() {
    return finished;
  }

  /** Stops the workers; requests not yet answered fail as disconnected. Idempotent. */
  @Override
  public void close() {
    workers.close();
  }

  /**
   * A copy of the {@link Context} state of every virtual client that has one (those sampled so far), by client id,
   * for a checkpoint. The values are immutable, so the copy is cheap; take it between rounds, while no request is
   * being answered, or it may hold part of a round.
   */
  public Map<String, ClientState> clientStates() {
    Map<String, ClientState> out = new TreeMap<>();
    slots.forEach((id, slot) -> out.put(id, copy(slot.context().state())));
    return out;
  }

  /**
   * A copy of the {@link Context} state of virtual client {@code id}, empty if it has none yet (it was never sampled).
   * Take it while the client answers no request, or it may hold part of one.
   */
  public Optional<ClientState> clientState(String id) {
    ClientSlot slot = slots.get(id);
    return slot == null ? Optional.empty() : Optional.of(copy(slot.context().state()));
  }

  /**
   * Gives virtual clients the context state of a checkpoint ({@link #clientStates()} of an earlier run), before any
   * request reaches them.
   *
   * @throws IllegalArgumentException if a client is unknown or has answered a request already
   */
  public void restoreClientStates(Map<String, ClientState> states) {
    states.forEach((id, state) -> {
      VirtualClient client = byId.get(id);
      if (client == null) {
        throw new IllegalArgumentException("the stored state names virtual client '" + id
            + "', which this fleet does not have");
      }
      ClientSlot slot = new ClientSlot(new Context(id, client.info().properties(), copy(state)),
          List.copyOf(mods.apply(client)));
      if (slots.putIfAbsent(id, slot) != null) {
        throw new IllegalArgumentException("virtual client '" + id + "' has a context already");
      }
    });
  }

  private static ClientState copy(ClientState state) {
    ClientState out = new ClientState();
    for (String key : state.keys()) {
      state.arrays(key).ifPresent(a -> out.putArrays(key, a));
      state.config(key).ifPresent(c -> out.putConfig(key, c));
    }
    return out;
  }

  /** Runs on a worker: the app of {@code client} answers {@code request}, as a deployed client's app would. */
  private Message answer(VirtualClient client, Message request) {
    ClientApp app;
    try {
      app = apps.create(client);
    } catch (RuntimeException e) {
      log.warn("cannot make the app of virtual client '{}'", client.id(), e);
      return MessageTypes.error("cannot make the app of virtual client '" + client.id() + "': " + e);
    }
    try {
      ClientSlot slot = slots.computeIfAbsent(client.id(),
          id -> new ClientSlot(Context.of(id, client.info().properties()), List.copyOf(mods.apply(client))));
      Message reply = new ClientRuntime(app, slot.mods(), slot.context()).handle(request);
      bytesReceived.add(reply.arrays().byteSize());
      return reply;
    } finally {
      if (app instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          log.warn("closing the app of virtual client '{}' failed", client.id(), e);
        }
      }
      listener.taskDone(client.id(), request.type());
    }
  }

  /** What a virtual client keeps from its first request on: its context and its mods. */
  private record ClientSlot(Context context, List<ClientMod> mods) {}

  /** The handle on one virtual client; cheap, made per lookup. */
  private final class VirtualProxy implements ClientProxy {
    private final VirtualClient client;

    VirtualProxy(VirtualClient client) {
      this.client = client;
    }

    @Override
    public ClientInfo info() {
      return client.info();
    }

    @Override
    public boolean isConnected() {
      return true;
    }

    @Override
    public CompletableFuture<Reply> request(Message request) {
      bytesSent.add(request.arrays().byteSize());
      if (clock != null && MessageTypes.TRAIN.equals(request.type())) {
        double seconds = clock.uncapped(client.info(), request);
        clock.record(request.metadata().group(), seconds);
        if (clock.timesOut(seconds)) {
          listener.taskDone(client.id(), request.type());
          return CompletableFuture.failedFuture(new ClientFailureException(ClientFailure.Kind.TIMEOUT, String.format(
              Locale.ROOT, "simulated training time %.1f s exceeds the timeout of %.1f s", seconds,
              clock.timeoutSeconds())));
        }
      }
      return workers.submit(() -> answer(client, request));
    }

    /** Virtual clients expect nothing but {@code finish} without a reply, and have nothing to do on it. */
    @Override
    public CompletableFuture<Void> send(Message message) {
      return CompletableFuture.completedFuture(null);
    }
  }
}
