package dev.flotilla.server;

import dev.flotilla.transport.security.AuthorizedKeys;

/**
 * What every connection of a server is held to: its {@link ConnectionLimits}, the keys of the clients it admits
 * (null to admit any client), and the watchdog that enforces the timeouts. Owned by the server, which closes it.
 */
record ConnectionGuards(ConnectionLimits limits, AuthorizedKeys authorizedKeys, ConnectionWatchdog watchdog)
    implements AutoCloseable {
  /** Guards that enforce {@code limits} and admit the clients of {@code authorizedKeys}, or any if null. */
  static ConnectionGuards start(ConnectionLimits limits, AuthorizedKeys authorizedKeys) {
    return new ConnectionGuards(limits, authorizedKeys, new ConnectionWatchdog(limits.checkPeriod()));
  }

  @Override
  public void close() {
    watchdog.close();
  }
}
