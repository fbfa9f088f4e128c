package dev.flotilla.server;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.tensor.FloatKernels;
import dev.flotilla.transport.MessageEncoder;
import dev.flotilla.transport.Protocol;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening side of Flotilla: a gRPC server that accepts client connections and keeps them in a
 * {@link ClientRegistry}. It runs no rounds by itself; a workflow such as
 * {@link dev.flotilla.workflow.SyncWorkflow} drives the clients through {@link #registry()}.
 *
 * <pre>{@code
 * try (FlotillaServer server = FlotillaServer.start(ServerSettings.builder().host("127.0.0.1").port(9091).build())) {
 *   RunSummary summary = new SyncWorkflow(server.registry(), syncSettings).run(strategy, initialModel, listener);
 * }
 * }</pre>
 *
 * <p>The server owns its threads: a pool for gRPC callbacks (which never block) and a pool for sending (which blocks
 * for flow control); {@link #close()} stops both. Thread-safe.
 */
public final class FlotillaServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FlotillaServer.class);
  /** How long {@link #close()} waits for clients to hang up before cutting their connections. */
  private static final long SHUTDOWN_GRACE_SECONDS = 5;
  /** Smallest interval between client pings that the server tolerates; below gRPC's client minimum of 10 s. */
  private static final long PERMIT_KEEPALIVE_SECONDS = 5;
  /** Streams one TCP connection may hold open: a client needs one (two while it reconnects). */
  private static final int MAX_CALLS_PER_CONNECTION = 4;

  private final Server server;
  private final ClientRegistry registry;
  private final ExecutorService callbacks;
  private final ExecutorService senders;
  private final ConnectionGuards guards;

  private FlotillaServer(Server server, ClientRegistry registry, ExecutorService callbacks, ExecutorService senders,
      ConnectionGuards guards) {
    this.guards = guards;
    this.server = server;
    this.registry = registry;
    this.callbacks = callbacks;
    this.senders = senders;
  }

  /**
   * The CRCs of a model are computed once for all the clients it goes to, whatever its size (see
   * {@link MessageEncoder#MessageEncoder(int, long)}: only the CRCs are kept, the chunks are written from the tensors
   * for each client as they are sent).
   */
  private static final long SHARED_CRCS = Long.MAX_VALUE;

  /**
   * Binds {@code settings.host():settings.port()} and starts accepting clients, with the TLS and client
   * authentication of {@link ServerSettings#security()} and the {@link ServerSettings#limits()}.
   *
   * @throws FlotillaException if the address cannot be bound, a TLS file is unusable, or the server would listen in
   *     plaintext on an address that is not loopback without {@link ServerSecurity#insecure()}
   */
  public static FlotillaServer start(ServerSettings settings) {
    ServerSecurity security = settings.security();
    security.checkListening(settings.host());
    ClientRegistry registry = new ClientRegistry();
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(settings.host(), settings.port()));
    if (security.tls() != null) {
      builder.sslContext(security.tls().sslContext());
    }
    ConnectionGuards guards = ConnectionGuards.start(settings.limits(), security.authorizedKeys());
    ExecutorService callbacks = Executors.newCachedThreadPool(threads("flotilla-grpc"));
    ExecutorService senders = Executors.newCachedThreadPool(threads("flotilla-send"));
    FleetService service = new FleetService(registry,
        new UploadSlots(settings.uploadSlots(), settings.limits().maxInflightBytes(), settings.uploadLookahead()),
        new MessageEncoder(settings.chunkBytes(), SHARED_CRCS), callbacks, senders, guards, settings.lendUploads());
    Server server = builder
        .executor(callbacks)
        .addService(ServerInterceptors.intercept(service, CallPeer.INTERCEPTOR))
        .maxConcurrentCallsPerConnection(MAX_CALLS_PER_CONNECTION)
        .maxInboundMessageSize(Protocol.MAX_FRAME_BYTES)
        .flowControlWindow(settings.flowControlWindowBytes())
        .keepAliveTime(settings.keepAliveTime().toMillis(), TimeUnit.MILLISECONDS)
        .keepAliveTimeout(settings.keepAliveTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .permitKeepAliveTime(PERMIT_KEEPALIVE_SECONDS, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        .build();
    try {
      server.start();
    } catch (IOException e) {
      callbacks.shutdownNow();
      senders.shutdownNow();
      guards.close();
      throw new FlotillaException("cannot listen on " + settings.host() + ":" + settings.port() + ": " + e.getMessage(),
          e);
    }
    log.info("listening on {}:{} ({}; float kernels: {})", settings.host(), server.getPort(), security,
        FloatKernels.description());
    return new FlotillaServer(server, registry, callbacks, senders, guards);
  }

  /** The port the server listens on; the one chosen by the system if the settings asked for 0. */
  public int port() {
    return server.getPort();
  }

  /** The connected clients. */
  public ClientRegistry registry() {
    return registry;
  }

  /**
   * Stops accepting connections, waits up to 5 s for connected clients to hang up (as they do after
   * {@link ClientRegistry#finish()}), then cuts the remaining connections and stops the server's threads. Idempotent.
   */
  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS)) {
        server.shutdownNow();
        server.awaitTermination(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      senders.shutdownNow();
      callbacks.shutdownNow();
      guards.close();
    }
    log.info("server stopped");
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
