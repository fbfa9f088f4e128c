package dev.flotilla.cli;

import dev.flotilla.dashboard.Dashboard;
import dev.flotilla.dashboard.DashboardSettings;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options of a run's live dashboard and Prometheus metrics, shared by {@code server} and {@code simulate}. */
final class DashboardOptionsMixin {
  @Option(names = "--dashboard-port", paramLabel = "PORT",
      description = "Serve a live web dashboard of the run on this port, with Prometheus metrics at /metrics; 0 for"
          + " any free port (default: no dashboard).")
  Integer port;

  @Option(names = "--dashboard-host", paramLabel = "HOST",
      description = "Address the dashboard listens on (default: " + DashboardSettings.DEFAULT_HOST + "); anyone who"
          + " can reach it sees the run.")
  String host;

  @Option(names = "--dashboard-linger", paramLabel = "DURATION", converter = DurationConverter.class,
      defaultValue = "0s", description = "After the run, keep serving the dashboard this long before exiting, such as"
          + " 10m (default: ${DEFAULT-VALUE}).")
  Duration linger;

  /**
   * The dashboard asked for, started and its address printed; a disabled one when none was asked for.
   *
   * @throws IllegalArgumentException if {@code --dashboard-host} is given without {@code --dashboard-port}
   */
  Dashboard start() {
    if (port == null) {
      if (host != null) {
        throw new IllegalArgumentException("--dashboard-host needs --dashboard-port");
      }
      return Dashboard.disabled();
    }
    Dashboard dashboard = Dashboard.start(new DashboardSettings(host == null ? DashboardSettings.DEFAULT_HOST : host,
        port));
    String url = dashboard.url().orElseThrow();
    System.out.println("dashboard at " + url + " (Prometheus metrics at " + url + "metrics)");
    return dashboard;
  }

  /** Keeps {@code dashboard} serving the finished run for {@code --dashboard-linger}, when it serves at all. */
  void linger(Dashboard dashboard) throws InterruptedException {
    if (dashboard.url().isPresent() && !linger.isZero()) {
      System.out.println("the run is over; the dashboard stays at " + dashboard.url().get() + " for "
          + linger.toSeconds() + " s");
      Thread.sleep(linger.toMillis());
    }
  }
}
