package dev.flotilla.workflow.secagg;

import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.client.ClientMod;
import dev.flotilla.core.client.ClientRuntime;
import dev.flotilla.core.client.Context;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientFailureException;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.workflow.ClientProxy;
import dev.flotilla.workflow.Fleet;
import dev.flotilla.workflow.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;

/**
 * A fleet of in-process clients for secure aggregation tests: each answers on the caller's thread through its own
 * {@link ClientRuntime}, except that a client disconnects (its request fails as {@code DISCONNECTED}, unanswered)
 * whenever {@code drop} says so for a request. Replies are kept, by client and type, for inspection.
 */
final class DroppingFleet implements Fleet {
  private final Map<String, ClientRuntime> clients = new LinkedHashMap<>();
  private volatile BiPredicate<String, Message> drop = (id, m) -> false;
  private volatile BiPredicate<String, Message> stall = (id, m) -> false;
  final Map<String, Message> lastReply = new ConcurrentHashMap<>();
  long bytesSent;
  long bytesReceived;

  DroppingFleet add(String id, ClientApp app, ClientMod... mods) {
    clients.put(id, new ClientRuntime(app, List.of(mods), Context.of(id, Config.empty())));
    return this;
  }

  /** From now on, client {@code id} drops the requests for which {@code when} holds. */
  void drop(BiPredicate<String, Message> when) {
    this.drop = when;
  }

  /** From now on, client {@code id} never answers the requests for which {@code when} holds (it goes quiet). */
  void stall(BiPredicate<String, Message> when) {
    this.stall = when;
  }

  @Override
  public List<ClientInfo> clients() {
    List<ClientInfo> out = new ArrayList<>();
    clients.keySet().forEach(id -> out.add(new ClientInfo(id, Config.empty())));
    return out;
  }

  @Override
  public Optional<ClientProxy> client(String id) {
    ClientRuntime runtime = clients.get(id);
    if (runtime == null) {
      return Optional.empty();
    }
    return Optional.of(new ClientProxy() {
      @Override
      public ClientInfo info() {
        return new ClientInfo(id, Config.empty());
      }

      @Override
      public boolean isConnected() {
        return true;
      }

      @Override
      public CompletableFuture<Reply> request(Message request) {
        if (stall.test(id, request)) {
          return new CompletableFuture<>();
        }
        if (drop.test(id, request)) {
          return CompletableFuture.failedFuture(new ClientFailureException(ClientFailure.Kind.DISCONNECTED,
              "dropped by the test at '" + request.type() + "'"));
        }
        synchronized (DroppingFleet.this) {
          bytesSent += request.arrays().byteSize();
        }
        Message reply = runtime.handle(request);
        synchronized (DroppingFleet.this) {
          bytesReceived += reply.arrays().byteSize();
        }
        lastReply.put(id + " " + reply.type(), reply);
        return CompletableFuture.completedFuture(new Reply(reply, () -> { }));
      }

      @Override
      public CompletableFuture<Void> send(Message message) {
        return CompletableFuture.completedFuture(null);
      }
    });
  }

  @Override
  public boolean awaitClients(int count, Duration timeout) {
    return clients.size() >= count;
  }

  @Override
  public synchronized long bytesReceived() {
    return bytesReceived;
  }

  @Override
  public synchronized long bytesSent() {
    return bytesSent;
  }

  @Override
  public CompletableFuture<Void> finish() {
    return CompletableFuture.completedFuture(null);
  }
}
