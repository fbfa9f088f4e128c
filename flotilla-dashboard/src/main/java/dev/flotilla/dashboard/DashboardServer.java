package dev.flotilla.dashboard;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.flotilla.core.FlotillaException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.sse.SseClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's web server: the page ({@code /}, with its script, style sheet and chart library), the run as JSON
 * ({@code /api/state}), the same pushed as Server-Sent Events whenever it changes ({@code /api/events}, event
 * {@code state}), and the Prometheus metrics ({@code /metrics}). One thread checks the fleet's connections and pushes
 * changes every {@value #PUSH_MILLIS} ms, and at least every {@value #HEARTBEAT_MILLIS} ms.
 *
 * <p>Owns its threads (the web server's and the pusher); {@link #close()} stops them. Thread-safe.
 */
final class DashboardServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DashboardServer.class);
  static final long PUSH_MILLIS = 250;
  static final long HEARTBEAT_MILLIS = 2000;
  private static final String WEB = "/dev/flotilla/dashboard/web/";
  private static final String CHART_JS = chartJsResource();

  private final DashboardState state;
  private final RunMetrics metrics;
  private final Gson gson = new GsonBuilder().serializeNulls().create();
  private final Set<SseClient> listeners = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService pusher = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "flotilla-dashboard-push");
    t.setDaemon(true);
    return t;
  });
  private final Javalin app;
  private final AtomicBoolean closed = new AtomicBoolean();
  private long pushedVersion = -1;
  private long pushedAtNanos;

  private DashboardServer(DashboardState state, RunMetrics metrics, DashboardSettings settings) {
    this.state = state;
    this.metrics = metrics;
    this.app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      config.routes.get("/", ctx -> resource(ctx, WEB + "index.html", "text/html; charset=utf-8"));
      config.routes.get("/dashboard.js", ctx -> resource(ctx, WEB + "dashboard.js", "text/javascript"));
      config.routes.get("/dashboard.css", ctx -> resource(ctx, WEB + "dashboard.css", "text/css"));
      config.routes.get("/chart.umd.js", ctx -> resource(ctx, CHART_JS, "text/javascript"));
      config.routes.get("/api/state", ctx -> ctx.contentType("application/json").result(json()));
      config.routes.get("/metrics", this::metrics);
      config.routes.sse("/api/events", this::listen);
    });
    try {
      app.start(settings.host(), settings.port());
    } catch (RuntimeException e) {
      throw new FlotillaException("cannot serve the dashboard on " + settings.host() + ":" + settings.port() + ": "
          + e.getMessage(), e);
    }
  }

  /** Serves {@code state} and {@code metrics} as {@code settings} say, from now on. */
  static DashboardServer start(DashboardState state, RunMetrics metrics, DashboardSettings settings) {
    DashboardServer server = new DashboardServer(state, metrics, settings);
    server.pusher.scheduleWithFixedDelay(server::push, PUSH_MILLIS, PUSH_MILLIS, TimeUnit.MILLISECONDS);
    return server;
  }

  /** The port listened on; the one the system chose if the settings asked for 0. */
  int port() {
    return app.port();
  }

  /** Stops the pusher and the web server, ending every event stream. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    pusher.shutdownNow();
    listeners.forEach(SseClient::close);
    app.stop();
  }

  private String json() {
    return gson.toJson(state.view());
  }

  private void listen(SseClient client) {
    client.keepAlive();
    client.onClose(() -> listeners.remove(client));
    client.sendEvent("state", json());
    listeners.add(client);
  }

  /** On the pusher's thread: sends the view to every listener if it changed, or if nothing was sent for a while. */
  private void push() {
    try {
      state.refreshConnections();
      long version = state.version();
      long now = System.nanoTime();
      if (version == pushedVersion && now - pushedAtNanos < TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_MILLIS)) {
        return;
      }
      pushedVersion = version;
      pushedAtNanos = now;
      if (listeners.isEmpty()) {
        return;
      }
      String json = json();
      for (SseClient client : listeners) {
        if (client.terminated()) {
          listeners.remove(client);
        } else {
          client.sendEvent("state", json);
        }
      }
    } catch (RuntimeException e) {
      log.warn("dashboard: pushing the run's state failed: {}", e.toString());
    }
  }

  private void metrics(Context ctx) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String contentType = metrics.write(ctx.header("Accept"), out);
    ctx.contentType(contentType).result(out.toByteArray());
  }

  private static void resource(Context ctx, String path, String contentType) {
    InputStream in = DashboardServer.class.getResourceAsStream(path);
    if (in == null) {
      ctx.status(HttpStatus.NOT_FOUND).result("not found: " + path);
      return;
    }
    ctx.header("Cache-Control", "no-cache").contentType(contentType).result(in);
  }

  /** Where the chart library's script is in its WebJar, whose version the jar's Maven properties give. */
  private static String chartJsResource() {
    String pom = "/META-INF/maven/org.webjars.npm/chart.js/pom.properties";
    try (InputStream in = DashboardServer.class.getResourceAsStream(pom)) {
      if (in == null) {
        throw new IllegalStateException("the chart.js WebJar is not on the classpath (" + pom + " is missing)");
      }
      Properties p = new Properties();
      p.load(in);
      return "/META-INF/resources/webjars/chart.js/" + p.getProperty("version") + "/dist/chart.umd.js";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
