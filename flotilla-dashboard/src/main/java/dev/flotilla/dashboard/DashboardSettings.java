package dev.flotilla.dashboard;

import java.util.Objects;

/**
 * Where the dashboard listens.
 *
 * @param host address to bind, {@value #DEFAULT_HOST} by default: the page shows the run to anyone who can reach it,
 *             so another address is for networks where that is wanted
 * @param port port to bind, 0 for one the system chooses
 */
public record DashboardSettings(String host, int port) {
  /** Loopback only. */
  public static final String DEFAULT_HOST = "127.0.0.1";

  public DashboardSettings {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("the dashboard host must not be blank");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("the dashboard port must be in 0..65535, got " + port);
    }
  }

  /** On {@value #DEFAULT_HOST}, port {@code port}. */
  public static DashboardSettings onLoopback(int port) {
    return new DashboardSettings(DEFAULT_HOST, port);
  }
}
