package dev.flotilla.client;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.client.ClientMod;
import dev.flotilla.core.client.ClientRuntime;
import dev.flotilla.core.client.Context;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.transport.ConnectionClosedException;
import dev.flotilla.transport.MessageEncoder;
import dev.flotilla.transport.Protocol;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects a {@link ClientApp} to a Flotilla server and serves its requests until the server says the run is over.
 *
 * <pre>{@code
 * ClientSettings settings = ClientSettings.builder("server:9091", "site-1").build();
 * try (FlotillaClient client = new FlotillaClient(settings, app)) {
 *   client.run(); // returns when the server sends FINISH
 * }
 * }</pre>
 *
 * <p>If the server is not up yet or the connection drops, the client reconnects with exponential backoff and
 * registers again under the same id; a request whose connection was lost is abandoned. The app runs on a thread of
 * its own, one request at a time, so the connection stays responsive while it trains; an exception thrown by the
 * app is reported to the server as an {@code error} reply and the client carries on.
 *
 * <p>Work whose result can no longer count is dropped ({@link CancellationRegistry}): a request that the server
 * cancels, or whose deadline passes, is not started if it is still queued; if the app is running it, the app thread
 * is interrupted, and an app that checks ({@code Thread.currentThread().isInterrupted()}, as the DJL trainer does
 * between batches) stops with a {@link java.util.concurrent.CancellationException}, answered as
 * {@code CANCELLED}.
 *
 * <p>With {@link ClientSettings#tls()} the connection is TLS; with {@link ClientSettings#key()} the client proves
 * its key when the server asks. A server that refuses the client ({@code UNAUTHENTICATED}, a protocol mismatch)
 * ends {@link #run()} with an exception rather than a retry.
 *
 * <p>Threading: {@link #run()} is called once, and blocks; {@link #close()} may be called from any thread.
 */
public final class FlotillaClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FlotillaClient.class);
  /** Statuses after which reconnecting cannot help: the server refused this client for good. */
  private static final Set<Status.Code> FATAL = Set.of(Status.Code.FAILED_PRECONDITION, Status.Code.UNAUTHENTICATED,
      Status.Code.PERMISSION_DENIED, Status.Code.UNIMPLEMENTED);
  private static final long SHUTDOWN_GRACE_SECONDS = 2;

  private final ClientSettings settings;
  private final ClientRuntime runtime;
  private final ManagedChannel channel;
  private final MessageEncoder encoder;
  private final ExecutorService appThread;
  private final ScheduledExecutorService deadlines;
  private final AtomicBoolean started = new AtomicBoolean();
  private final CountDownLatch closing = new CountDownLatch(1);
  private volatile Session current;

  /** A client that will serve {@code app}; nothing connects before {@link #run()}. */
  public FlotillaClient(ClientSettings settings, ClientApp app) {
    this(settings, app, List.of());
  }

  /**
   * A client that will serve {@code app} behind {@code mods} (the first outermost); nothing connects before
   * {@link #run()}. The app and mods see one {@link Context} for the client's whole life, across reconnections: its
   * id, its properties as node config, and a state that survives rounds.
   */
  public FlotillaClient(ClientSettings settings, ClientApp app, List<ClientMod> mods) {
    this.settings = settings;
    this.runtime = new ClientRuntime(app, mods, Context.of(settings.clientId(), settings.properties()));
    this.encoder = new MessageEncoder(settings.chunkBytes());
    this.channel = ChannelSecurity.configure(NettyChannelBuilder.forTarget(settings.target()), settings)
        .maxInboundMessageSize(Protocol.MAX_FRAME_BYTES)
        .flowControlWindow(settings.flowControlWindowBytes())
        .keepAliveTime(settings.keepAliveTime().toMillis(), TimeUnit.MILLISECONDS)
        .keepAliveTimeout(settings.keepAliveTimeout().toMillis(), TimeUnit.MILLISECONDS)
        // The client reconnects by itself (Backoff) and a half-sent stream cannot be replayed, so gRPC's transparent
        // retries would only buffer every frame until the call commits.
        .disableRetry()
        // Session's callbacks never block (frames are decoded into arrays and queued; sending waits on the app's
        // thread), so they run on the transport's thread: one thread hand-off less per frame (BENCHMARKS.md, W3).
        .directExecutor()
        .build();
    this.appThread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "flotilla-app-" + settings.clientId());
      t.setDaemon(true);
      return t;
    });
    this.deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "flotilla-deadlines-" + settings.clientId());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Connects and serves requests until the server sends {@link MessageTypes#FINISH} or {@link #close()} is called;
   * then returns normally. Reconnects for as long as it takes.
   *
   * @throws FlotillaException    if the server refuses this client for good (for example a protocol mismatch)
   * @throws InterruptedException if the calling thread is interrupted
   */
  public void run() throws InterruptedException {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("run() can be called once per client");
    }
    Backoff backoff = new Backoff(settings.reconnectInitial(), settings.reconnectMax(), new Random());
    boolean finished = false;
    try {
      while (!isClosing()) {
        Status lost = serve(backoff);
        if (lost == null) {
          finished = true;
          return;
        }
        if (isClosing()) {
          return;
        }
        if (FATAL.contains(lost.getCode())) {
          throw new FlotillaException("the server at " + settings.target() + " refused client '"
              + settings.clientId() + "': " + lost);
        }
        Duration wait = backoff.next();
        log.info("client '{}': no connection to {} ({}); retrying in {} s", settings.clientId(), settings.target(),
            lost.getCode(), wait.toMillis() / 1000.0);
        if (closing.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
          return;
        }
        channel.resetConnectBackoff();
      }
    } finally {
      shutdown(finished);
    }
  }

  /**
   * Stops the client: cuts the connection, interrupts the app and makes {@link #run()} return. Safe to call from any
   * thread, more than once, and before or after {@code run()}.
   */
  @Override
  public void close() {
    closing.countDown();
    Session s = current;
    if (s != null) {
      s.cancel("the client is closing");
    }
    if (!started.get()) {
      shutdown(false);
    }
  }

  /** Serves one connection; returns null when the server finished the run, else the status that ended it. */
  private Status serve(Backoff backoff) throws InterruptedException {
    TlsSessionCapture tls = new TlsSessionCapture();
    Session session = Session.open(ClientInterceptors.intercept(channel, tls), encoder);
    CancellationRegistry requests = new CancellationRegistry(deadlines, System::currentTimeMillis);
    current = session;
    if (isClosing()) {
      session.cancel("the client is closing");
    }
    try {
      session.hello(settings.clientId(), settings.properties());
    } catch (ConnectionClosedException e) {
      // The Closed event that follows says why.
    }
    try {
      return serveEvents(session, tls, requests, backoff);
    } finally {
      requests.cancelAll(); // nothing can be answered on a lost connection
    }
  }

  private Status serveEvents(Session session, TlsSessionCapture tls, CancellationRegistry requests, Backoff backoff)
      throws InterruptedException {
    while (true) {
      Session.Event event = session.next();
      if (event instanceof Session.Challenged c) {
        Status refused = proveKey(session, tls, c.nonce());
        if (refused != null) {
          session.cancel(refused.getDescription());
          return refused;
        }
      } else if (event instanceof Session.Welcomed) {
        backoff.reset();
        log.info("client '{}' connected to {}", settings.clientId(), settings.target());
      } else if (event instanceof Session.Received r) {
        if (r.message().type().equals(MessageTypes.FINISH)) {
          log.info("client '{}': the server finished the run", settings.clientId());
          session.finish();
          return null;
        }
        if (r.message().type().equals(MessageTypes.CANCEL)) {
          requests.cancel(r.message().metadata().replyTo());
          continue;
        }
        if (log.isDebugEnabled()) {
          log.debug("client '{}': received '{}' ({})", settings.clientId(), r.message().type(),
              r.message().metadata().group());
        }
        requests.queued(r.message().metadata().messageId(), r.message().metadata().deadlineMillis());
        appThread.execute(() -> answer(session, requests, r.message()));
      } else {
        return ((Session.Closed) event).status();
      }
    }
  }

  private Status proveKey(Session session, TlsSessionCapture tls, byte[] nonce) throws InterruptedException {
    try {
      return ChannelSecurity.prove(settings, session, tls, nonce);
    } catch (ConnectionClosedException e) {
      return null; // the Closed event that follows says why
    }
  }

  /** Runs on the app thread: answers one request on the connection that brought it, unless it was cancelled. */
  private void answer(Session session, CancellationRegistry requests, Message request) {
    long id = request.metadata().messageId();
    if (!session.isOpen()) {
      log.info("client '{}': skipping a '{}' request whose connection was lost", settings.clientId(),
          request.type());
      requests.finish(id);
      return;
    }
    Message reply;
    if (!requests.start(id)) {
      log.info("client '{}': dropped a cancelled '{}' request before starting it", settings.clientId(),
          request.type());
      reply = Message.error(MessageError.Code.CANCELLED, "the '" + request.type()
          + "' request was cancelled before it started").withMetadata(request.metadata().forReply());
    } else {
      long start = System.nanoTime();
      try {
        reply = runtime.handle(request);
      } finally {
        requests.finish(id); // no interrupt reaches this thread after this point
      }
      if (log.isDebugEnabled()) {
        log.debug("client '{}': answered '{}' ({}) in {} ms", settings.clientId(), request.type(),
            request.metadata().group(), (System.nanoTime() - start) / 1_000_000);
      }
    }
    try {
      long start = System.nanoTime();
      session.reply(reply);
      if (log.isDebugEnabled()) {
        log.debug("client '{}': sent the '{}' reply in {} ms", settings.clientId(), request.type(),
            (System.nanoTime() - start) / 1_000_000);
      }
    } catch (ConnectionClosedException e) {
      log.warn("client '{}': the '{}' result was lost with the connection", settings.clientId(),
          request.type());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean isClosing() {
    return closing.getCount() == 0;
  }

  private void shutdown(boolean graceful) {
    appThread.shutdownNow();
    deadlines.shutdownNow();
    if (graceful) {
      channel.shutdown();
      try {
        channel.awaitTermination(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    channel.shutdownNow();
  }
}
