package dev.flotilla.server;

import dev.flotilla.transport.Protocol;
import java.time.Duration;
import java.util.Objects;

/**
 * How the server listens and moves data. Build with {@link #builder()}.
 *
 * @param host             address to bind, such as {@code "0.0.0.0"} (every interface) or {@code "127.0.0.1"}
 * @param port             TCP port, 0 for any free port (see {@link FlotillaServer#port()})
 * @param chunkBytes       size of the chunks that carry arrays to clients
 * @param flowControlWindowBytes HTTP/2 flow-control window of each client connection, in bytes: how much a client
 *                         may send before the server has read it
 *                         (see {@link Protocol#DEFAULT_FLOW_CONTROL_WINDOW_BYTES})
 * @param uploadSlots      how many uploads with arrays the server assembles or holds at once; memory for uploads is
 *                         about this many models, and further clients wait until a slot frees
 * @param uploadLookahead  how many of the uploads waiting for a slot are granted ahead of it (protocol version 4), so
 *                         that they send up to a flow-control window each while the server is busy: more time
 *                         overlapped, at up to this many windows of server memory; the others send only their
 *                         header until their turn
 * @param keepAliveTime    idle time after which the server pings a client to check that it is alive
 * @param keepAliveTimeout how long a ping may go unanswered before the client counts as disconnected
 * @param security         TLS, client authentication, and whether plaintext may leave the loopback interface
 * @param limits           what one connection may cost: message and in-flight bytes, stall and handshake timeouts
 * @param lendUploads      whether uploads for a strategy that reads results only while iterating them (FedAvg) are
 *                         folded from the transport's buffers instead of copied into arrays first: the server's step
 *                         is faster (BENCHMARKS.md, W2), but each upload then holds gRPC's direct memory until folded,
 *                         which raised a 10 x 10M server's peak memory by half in W3; off by default
 */
public record ServerSettings(String host, int port, int chunkBytes, int flowControlWindowBytes, int uploadSlots,
    int uploadLookahead, Duration keepAliveTime, Duration keepAliveTimeout, ServerSecurity security,
    ConnectionLimits limits, boolean lendUploads) {
  /** The port used when none is given. */
  public static final int DEFAULT_PORT = 9091;
  /**
   * Uploads granted ahead of a slot by default: at most 8 flow-control windows (8 MiB by default) of waiting uploads
   * in the server however many clients wait, and most of the overlap of letting every client send (BENCHMARKS.md, W3).
   */
  public static final int DEFAULT_UPLOAD_LOOKAHEAD = 8;

  public ServerSettings {
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("host must not be empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
    }
    Protocol.checkChunkBytes(chunkBytes);
    Protocol.checkFlowControlWindow(flowControlWindowBytes);
    if (uploadSlots < 1) {
      throw new IllegalArgumentException("uploadSlots must be >= 1, got " + uploadSlots);
    }
    if (uploadLookahead < 0) {
      throw new IllegalArgumentException("uploadLookahead must be >= 0, got " + uploadLookahead);
    }
    requirePositive("keepAliveTime", keepAliveTime);
    requirePositive("keepAliveTimeout", keepAliveTimeout);
    Objects.requireNonNull(security, "security");
    Objects.requireNonNull(limits, "limits");
  }

  /**
   * A builder with the defaults: every interface, port {@value #DEFAULT_PORT}, 256 KiB chunks, a 1 MiB flow-control
   * window, 2 upload slots and {@value #DEFAULT_UPLOAD_LOOKAHEAD} granted ahead, a keep-alive ping after 30 s idle
   * that must be answered within 10 s, plaintext (so only a loopback host is allowed, see {@link ServerSecurity})
   * admitting any client, {@link ConnectionLimits#defaults()}, and uploads copied into arrays (not lent).
   */
  public static Builder builder() {
    return new Builder();
  }

  private static void requirePositive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
  }

  /** Builds {@link ServerSettings}. */
  public static final class Builder {
    private String host = "0.0.0.0";
    private int port = DEFAULT_PORT;
    private int chunkBytes = Protocol.DEFAULT_CHUNK_BYTES;
    private int flowControlWindowBytes = Protocol.DEFAULT_FLOW_CONTROL_WINDOW_BYTES;
    private int uploadSlots = 2;
    private int uploadLookahead = DEFAULT_UPLOAD_LOOKAHEAD;
    private boolean lendUploads;
    private Duration keepAliveTime = Duration.ofSeconds(30);
    private Duration keepAliveTimeout = Duration.ofSeconds(10);
    private ServerSecurity security = ServerSecurity.plaintext();
    private ConnectionLimits limits = ConnectionLimits.defaults();

    private Builder() {}

    /** Sets {@link ServerSettings#security()}. */
    public Builder security(ServerSecurity security) {
      this.security = security;
      return this;
    }

    /** Sets {@link ServerSettings#limits()}. */
    public Builder limits(ConnectionLimits limits) {
      this.limits = limits;
      return this;
    }

    /** Sets {@link ServerSettings#host()}. */
    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** Sets {@link ServerSettings#port()}. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Sets {@link ServerSettings#chunkBytes()}. */
    public Builder chunkBytes(int chunkBytes) {
      this.chunkBytes = chunkBytes;
      return this;
    }

    /** Sets {@link ServerSettings#flowControlWindowBytes()}. */
    public Builder flowControlWindowBytes(int flowControlWindowBytes) {
      this.flowControlWindowBytes = flowControlWindowBytes;
      return this;
    }

    /** Sets {@link ServerSettings#uploadSlots()}. */
    public Builder uploadSlots(int uploadSlots) {
      this.uploadSlots = uploadSlots;
      return this;
    }

    /** Sets {@link ServerSettings#uploadLookahead()}. */
    public Builder uploadLookahead(int uploadLookahead) {
      this.uploadLookahead = uploadLookahead;
      return this;
    }

    /** Sets {@link ServerSettings#lendUploads()}. */
    public Builder lendUploads(boolean lendUploads) {
      this.lendUploads = lendUploads;
      return this;
    }

    /** Sets {@link ServerSettings#keepAliveTime()} and {@link ServerSettings#keepAliveTimeout()}. */
    public Builder keepAlive(Duration time, Duration timeout) {
      this.keepAliveTime = time;
      this.keepAliveTimeout = timeout;
      return this;
    }

    /** The settings; throws {@link IllegalArgumentException} naming a bad value. */
    public ServerSettings build() {
      return new ServerSettings(host, port, chunkBytes, flowControlWindowBytes, uploadSlots, uploadLookahead,
          keepAliveTime, keepAliveTimeout, security, limits, lendUploads);
    }
  }
}
