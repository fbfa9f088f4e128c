package dev.flotilla.dashboard;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.workflow.ClientProxy;
import dev.flotilla.workflow.Fleet;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** A fleet whose clients and traffic a test sets; it reaches nobody. */
final class StubFleet implements Fleet {
  private volatile List<ClientInfo> clients = List.of();
  volatile long bytesReceived;
  volatile long bytesSent;

  /** From now on the fleet has the clients {@code ids}. */
  StubFleet connected(String... ids) {
    clients = Arrays.stream(ids).sorted().map(id -> new ClientInfo(id, Config.empty())).toList();
    return this;
  }

  @Override
  public List<ClientInfo> clients() {
    return clients;
  }

  @Override
  public Optional<ClientProxy> client(String id) {
    return Optional.empty();
  }

  @Override
  public boolean awaitClients(int count, Duration timeout) {
    return clients.size() >= count;
  }

  @Override
  public long bytesReceived() {
    return bytesReceived;
  }

  @Override
  public long bytesSent() {
    return bytesSent;
  }

  @Override
  public CompletableFuture<Void> finish() {
    return CompletableFuture.completedFuture(null);
  }
}
