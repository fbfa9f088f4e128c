package dev.flotilla.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.client.ClientSettings;
import dev.flotilla.client.FlotillaClient;
import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.workflow.RunSummary;
import dev.flotilla.workflow.SyncSettings;
import dev.flotilla.workflow.SyncWorkflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * A server and in-process clients on 127.0.0.1 for integration tests. Clients run on threads of their own; closing
 * the fleet closes every client, checks that none failed, and stops the server.
 */
public final class TestFleet implements AutoCloseable {
  private final List<FlotillaClient> clients = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final List<Throwable> clientErrors = new CopyOnWriteArrayList<>();
  private FlotillaServer server;

  /** A fleet whose server listens on a free port of 127.0.0.1 with {@code tweak} applied to the defaults. */
  public static TestFleet start(UnaryOperator<ServerSettings.Builder> tweak) {
    TestFleet fleet = new TestFleet();
    fleet.startServer(tweak.apply(ServerSettings.builder().host("127.0.0.1").port(0)));
    return fleet;
  }

  /** A fleet with no server yet. */
  public static TestFleet withoutServer() {
    return new TestFleet();
  }

  /** Starts the server with {@code settings}. */
  public FlotillaServer startServer(ServerSettings.Builder settings) {
    server = FlotillaServer.start(settings.build());
    return server;
  }

  /** The server, once started. */
  public FlotillaServer server() {
    return server;
  }

  /** Where clients reach the server. */
  public String target() {
    return "127.0.0.1:" + server.port();
  }

  /** Starts client {@code id} running {@code app}, with quick reconnection. */
  public FlotillaClient client(String id, ClientApp app) {
    return client(settings(target(), id).build(), app);
  }

  /** Client settings for tests: quick reconnection. */
  public static ClientSettings.Builder settings(String target, String id) {
    return ClientSettings.builder(target, id).reconnect(Duration.ofMillis(50), Duration.ofMillis(500));
  }

  /** Starts a client with {@code settings} running {@code app} on a thread of its own. */
  public FlotillaClient client(ClientSettings settings, ClientApp app) {
    FlotillaClient client = new FlotillaClient(settings, app);
    Thread t = new Thread(() -> {
      try {
        client.run();
      } catch (Throwable e) {
        clientErrors.add(e);
      }
    }, "test-client-" + settings.clientId());
    t.setDaemon(true);
    t.start();
    clients.add(client);
    threads.add(t);
    return client;
  }

  /** Runs a synchronous workflow to the end and returns its summary. */
  public RunSummary run(Strategy strategy, ModelWeights initial, SyncSettings settings) throws InterruptedException {
    return new SyncWorkflow(server.registry(), settings).run(strategy, initial, (record, model) -> { });
  }

  /** Waits for every client's {@code run()} to return, as after the server finished the run. */
  public void awaitClientsFinished(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread t : threads) {
      t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      assertThat(t.isAlive()).as("client thread %s still running", t.getName()).isFalse();
    }
  }

  @Override
  public void close() throws InterruptedException {
    List<Throwable> errors = new ArrayList<>(clientErrors);
    clients.forEach(FlotillaClient::close);
    for (Thread t : threads) {
      t.join(5000);
    }
    if (server != null) {
      server.close();
    }
    assertThat(errors).as("client errors").isEmpty();
  }
}
