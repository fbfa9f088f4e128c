package dev.flotilla.client;

import dev.flotilla.core.message.Config;
import dev.flotilla.transport.Protocol;
import dev.flotilla.transport.security.ClientKey;
import dev.flotilla.transport.security.ClientTls;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link FlotillaClient} connects. Build with {@link #builder(String, String)}.
 *
 * @param target           the server as {@code host:port}
 * @param clientId         this client's identity, stable across reconnections; the server replaces a connected client
 *                         with the same id
 * @param properties       what the client tells the server about itself (for example {@code num_examples})
 * @param chunkBytes       size of the chunks that carry arrays to the server
 * @param flowControlWindowBytes HTTP/2 flow-control window of the connection, in bytes: how much the server may send
 *                         before the client has read it (see {@link Protocol#DEFAULT_FLOW_CONTROL_WINDOW_BYTES})
 * @param reconnectInitial wait before the first reconnection attempt; it doubles after each failed attempt
 * @param reconnectMax     longest wait between attempts
 * @param keepAliveTime    idle time after which the client pings the server (gRPC enforces at least 10 s)
 * @param keepAliveTimeout how long a ping may go unanswered before the connection counts as lost
 * @param tls              the TLS of the connection (the CA to trust, a client certificate for mutual TLS), or null
 *                         for plaintext
 * @param key              the key that proves {@code clientId} to a server that authenticates clients, or null; its
 *                         id must be {@code clientId}
 */
public record ClientSettings(String target, String clientId, Config properties, int chunkBytes,
    int flowControlWindowBytes, Duration reconnectInitial, Duration reconnectMax, Duration keepAliveTime,
    Duration keepAliveTimeout, ClientTls tls, ClientKey key) {
  public ClientSettings {
    if (target == null || target.isEmpty()) {
      throw new IllegalArgumentException("target must be host:port, got '" + target + "'");
    }
    if (clientId == null || clientId.isEmpty()) {
      throw new IllegalArgumentException("clientId must not be empty");
    }
    Objects.requireNonNull(properties, "properties");
    Protocol.checkChunkBytes(chunkBytes);
    Protocol.checkFlowControlWindow(flowControlWindowBytes);
    requirePositive("reconnectInitial", reconnectInitial);
    requirePositive("reconnectMax", reconnectMax);
    if (reconnectMax.compareTo(reconnectInitial) < 0) {
      throw new IllegalArgumentException(
          "reconnectMax (" + reconnectMax + ") must not be below reconnectInitial (" + reconnectInitial + ")");
    }
    requirePositive("keepAliveTime", keepAliveTime);
    requirePositive("keepAliveTimeout", keepAliveTimeout);
    if (key != null && !key.clientId().equals(clientId)) {
      throw new IllegalArgumentException("the key proves client id '" + key.clientId() + "', not '" + clientId + "'");
    }
  }

  /**
   * A builder for a client {@code clientId} of the server at {@code target}, with the defaults: no properties, 256 KiB
   * chunks, a 1 MiB flow-control window, reconnection after 0.5 s doubling up to 30 s, a keep-alive ping after 30 s
   * idle answered within 10 s, plaintext and no key.
   */
  public static Builder builder(String target, String clientId) {
    return new Builder(target, clientId);
  }

  private static void requirePositive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
  }

  /** Builds {@link ClientSettings}. */
  public static final class Builder {
    private final String target;
    private final String clientId;
    private Config properties = Config.empty();
    private int chunkBytes = Protocol.DEFAULT_CHUNK_BYTES;
    private int flowControlWindowBytes = Protocol.DEFAULT_FLOW_CONTROL_WINDOW_BYTES;
    private Duration reconnectInitial = Duration.ofMillis(500);
    private Duration reconnectMax = Duration.ofSeconds(30);
    private Duration keepAliveTime = Duration.ofSeconds(30);
    private Duration keepAliveTimeout = Duration.ofSeconds(10);
    private ClientTls tls;
    private ClientKey key;

    private Builder(String target, String clientId) {
      this.target = target;
      this.clientId = clientId;
    }

    /** Sets {@link ClientSettings#tls()}. */
    public Builder tls(ClientTls tls) {
      this.tls = tls;
      return this;
    }

    /** Sets {@link ClientSettings#key()}. */
    public Builder key(ClientKey key) {
      this.key = key;
      return this;
    }

    /** Sets {@link ClientSettings#properties()}. */
    public Builder properties(Config properties) {
      this.properties = properties;
      return this;
    }

    /** Sets {@link ClientSettings#chunkBytes()}. */
    public Builder chunkBytes(int chunkBytes) {
      this.chunkBytes = chunkBytes;
      return this;
    }

    /** Sets {@link ClientSettings#flowControlWindowBytes()}. */
    public Builder flowControlWindowBytes(int flowControlWindowBytes) {
      this.flowControlWindowBytes = flowControlWindowBytes;
      return this;
    }

    /** Sets {@link ClientSettings#reconnectInitial()} and {@link ClientSettings#reconnectMax()}. */
    public Builder reconnect(Duration initial, Duration max) {
      this.reconnectInitial = initial;
      this.reconnectMax = max;
      return this;
    }

    /** Sets {@link ClientSettings#keepAliveTime()} and {@link ClientSettings#keepAliveTimeout()}. */
    public Builder keepAlive(Duration time, Duration timeout) {
      this.keepAliveTime = time;
      this.keepAliveTimeout = timeout;
      return this;
    }

    /** The settings; throws {@link IllegalArgumentException} naming a bad value. */
    public ClientSettings build() {
      return new ClientSettings(target, clientId, properties, chunkBytes, flowControlWindowBytes, reconnectInitial,
          reconnectMax, keepAliveTime, keepAliveTimeout, tls, key);
    }
  }
}
