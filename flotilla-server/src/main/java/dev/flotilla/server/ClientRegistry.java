package dev.flotilla.server;

import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.workflow.ClientProxy;
import dev.flotilla.workflow.Fleet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clients connected to a server, by id, and the traffic they caused: the {@link Fleet} of a deployed run.
 * Workflows read it to sample clients and to reach them; the transport keeps it up to date as clients connect and
 * disconnect.
 *
 * <p>A client that connects with the id of a client already connected <em>replaces</em> it: the older connection is
 * closed (its open requests fail as disconnected). This lets a client whose network dropped reconnect at once,
 * before the server has noticed that its old connection is dead; the price is that two processes configured with
 * the same id keep evicting each other, which the server logs at every swap. A server that authenticates clients
 * ({@link ServerSecurity#authorizedKeys()}) registers a connection only once it has proven the key bound to its id,
 * so only the holder of that key can replace it.
 *
 * <p>Thread-safe.
 */
public final class ClientRegistry implements Fleet {
  private static final Logger log = LoggerFactory.getLogger(ClientRegistry.class);
  private final Map<String, ClientConnection> clients = new HashMap<>(); // guarded by this
  private final LongAdder bytesReceived = new LongAdder();
  private final LongAdder bytesSent = new LongAdder();
  private boolean finished; // guarded by this

  /** The connected clients, sorted by id. */
  @Override
  public synchronized List<ClientInfo> clients() {
    List<ClientInfo> out = new ArrayList<>(clients.size());
    for (ClientConnection c : clients.values()) {
      out.add(c.info());
    }
    out.sort(Comparator.comparing(ClientInfo::id));
    return List.copyOf(out);
  }

  /** The connected client with {@code id}, if any. */
  @Override
  public synchronized Optional<ClientProxy> client(String id) {
    return Optional.<ClientProxy>ofNullable(clients.get(id));
  }

  /** Number of connected clients. */
  @Override
  public synchronized int size() {
    return clients.size();
  }

  /** Waits until at least {@code count} clients are connected; false if {@code timeout} passed first. */
  @Override
  public synchronized boolean awaitClients(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (clients.size() < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  /** Array bytes received from all clients since the server started. */
  @Override
  public long bytesReceived() {
    return bytesReceived.sum();
  }

  /** Array bytes sent to all clients since the server started. */
  @Override
  public long bytesSent() {
    return bytesSent.sum();
  }

  /**
   * Ends the run for every client: sends {@link MessageTypes#FINISH} to those connected now and, from now on, to
   * any that connects later, so that none waits for work that will not come. The future completes when the
   * messages to the current clients have been sent or have failed.
   */
  @Override
  public CompletableFuture<Void> finish() {
    List<ClientConnection> now;
    synchronized (this) {
      finished = true;
      now = List.copyOf(clients.values());
    }
    log.info("run finished; telling {} connected clients", now.size());
    CompletableFuture<?>[] sends = now.stream()
        .map(c -> c.send(Message.of(MessageTypes.FINISH)).exceptionally(e -> null))
        .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(sends);
  }

  /**
   * Adds {@code client}, replacing and closing a connected client with the same id. Returns whether the run has
   * finished, in which case the caller must send the new client {@link MessageTypes#FINISH}.
   */
  boolean register(ClientConnection client) {
    ClientConnection previous;
    boolean done;
    synchronized (this) {
      previous = clients.put(client.id(), client);
      done = finished;
      notifyAll();
    }
    if (previous != null && previous != client) {
      log.warn("client '{}' connected again; closing its previous connection", client.id());
      previous.replace();
    }
    return done;
  }

  /** Removes {@code client} if it is the registered connection for its id. */
  synchronized void unregister(ClientConnection client) {
    clients.remove(client.id(), client);
    notifyAll();
  }

  void addBytesReceived(long n) {
    bytesReceived.add(n);
  }

  void addBytesSent(long n) {
    bytesSent.add(n);
  }
}
