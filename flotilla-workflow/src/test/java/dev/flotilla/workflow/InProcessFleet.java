package dev.flotilla.workflow;

import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.client.ClientMod;
import dev.flotilla.core.client.ClientRuntime;
import dev.flotilla.core.client.Context;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.strategy.ClientInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fleet for workflow tests: each client is a {@link ClientRuntime} answering on the caller's thread, in the order
 * the requests are sent, or on an executor's threads. Clients are added before the run; after that it may be used
 * from any thread.
 */
final class InProcessFleet implements Fleet {
  private final Map<String, ClientRuntime> clients = new LinkedHashMap<>();
  private final Executor answering;
  private final AtomicLong bytesReceived = new AtomicLong();
  private final AtomicLong bytesSent = new AtomicLong();

  /** A fleet whose clients answer on the caller's thread, before {@code request} returns. */
  InProcessFleet() {
    this(Runnable::run);
  }

  /** A fleet whose clients answer on {@code answering}, as remote clients would, while the workflow goes on. */
  InProcessFleet(Executor answering) {
    this.answering = answering;
  }

  /** Adds client {@code id} running {@code app} behind {@code mods}, with {@code num_examples} = 10. */
  InProcessFleet add(String id, ClientApp app, ClientMod... mods) {
    clients.put(id, new ClientRuntime(app, List.of(mods), Context.of(id, Config.of("num_examples", 10))));
    return this;
  }

  @Override
  public List<ClientInfo> clients() {
    List<ClientInfo> out = new ArrayList<>();
    clients.forEach((id, runtime) -> out.add(new ClientInfo(id, runtime.context().nodeConfig())));
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
        return new ClientInfo(id, runtime.context().nodeConfig());
      }

      @Override
      public boolean isConnected() {
        return true;
      }

      @Override
      public CompletableFuture<Reply> request(Message request) {
        bytesSent.addAndGet(request.arrays().byteSize());
        return CompletableFuture.supplyAsync(() -> {
          Message reply = runtime.handle(request);
          bytesReceived.addAndGet(reply.arrays().byteSize());
          return new Reply(reply, () -> { });
        }, answering);
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
  public long bytesReceived() {
    return bytesReceived.get();
  }

  @Override
  public long bytesSent() {
    return bytesSent.get();
  }

  @Override
  public CompletableFuture<Void> finish() {
    return CompletableFuture.completedFuture(null);
  }
}
