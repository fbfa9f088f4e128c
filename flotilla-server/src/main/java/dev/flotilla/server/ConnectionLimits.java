package dev.flotilla.server;

import java.time.Duration;
import java.util.Objects;

/**
 * What one client connection may cost the server, so that a hostile or broken peer cannot exhaust it. A reply is
 * admitted only for an open request and only with the arrays that request allows, bounded by
 * {@code maxMessageBytes}, before any memory is allocated for it; uploads being received or held add up to at most
 * {@code maxInflightBytes}; an upload that sends nothing for {@code uploadStallTimeout} loses its slot and its
 * connection; a connection must complete its handshake (hello, and proof of its key where required) within
 * {@code handshakeTimeout}.
 *
 * @param maxMessageBytes    the most array bytes one message from a client may declare, unless its request allows
 *                           exactly some arrays (the model the server sent, whose size the server chose)
 * @param maxInflightBytes   the most array bytes of uploads the server receives or holds at once, across all
 *                           clients; at least {@code maxMessageBytes}. A message larger than this waits until no
 *                           other upload is in flight.
 * @param uploadStallTimeout how long an upload may go without a chunk before its connection is closed
 * @param handshakeTimeout   how long a new connection has to say hello (and prove its key) before it is closed
 */
public record ConnectionLimits(long maxMessageBytes, long maxInflightBytes, Duration uploadStallTimeout,
    Duration handshakeTimeout) {
  /** Default {@link #maxMessageBytes()}: 256 MiB. */
  public static final long DEFAULT_MAX_MESSAGE_BYTES = 256L << 20;
  /** Default {@link #maxInflightBytes()}: 1 GiB. */
  public static final long DEFAULT_MAX_INFLIGHT_BYTES = 1L << 30;
  /** Default {@link #uploadStallTimeout()}: 30 s. */
  public static final Duration DEFAULT_UPLOAD_STALL_TIMEOUT = Duration.ofSeconds(30);
  /** Default {@link #handshakeTimeout()}: 10 s. */
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration SHORTEST_CHECK = Duration.ofMillis(10);
  private static final Duration LONGEST_CHECK = Duration.ofSeconds(1);

  public ConnectionLimits {
    if (maxMessageBytes < 0) {
      throw new IllegalArgumentException("maxMessageBytes must be >= 0, got " + maxMessageBytes);
    }
    if (maxInflightBytes < maxMessageBytes) {
      throw new IllegalArgumentException("maxInflightBytes (" + maxInflightBytes
          + ") must be at least maxMessageBytes (" + maxMessageBytes + ")");
    }
    requirePositive("uploadStallTimeout", uploadStallTimeout);
    requirePositive("handshakeTimeout", handshakeTimeout);
  }

  /** The defaults: 256 MiB per message, 1 GiB in flight, 30 s upload stall timeout, 10 s handshake timeout. */
  public static ConnectionLimits defaults() {
    return new ConnectionLimits(DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_INFLIGHT_BYTES, DEFAULT_UPLOAD_STALL_TIMEOUT,
        DEFAULT_HANDSHAKE_TIMEOUT);
  }

  /** These limits with {@link #maxMessageBytes()} set. */
  public ConnectionLimits withMaxMessageBytes(long bytes) {
    return new ConnectionLimits(bytes, maxInflightBytes, uploadStallTimeout, handshakeTimeout);
  }

  /** These limits with {@link #maxInflightBytes()} set. */
  public ConnectionLimits withMaxInflightBytes(long bytes) {
    return new ConnectionLimits(maxMessageBytes, bytes, uploadStallTimeout, handshakeTimeout);
  }

  /** These limits with {@link #uploadStallTimeout()} set. */
  public ConnectionLimits withUploadStallTimeout(Duration timeout) {
    return new ConnectionLimits(maxMessageBytes, maxInflightBytes, timeout, handshakeTimeout);
  }

  /** These limits with {@link #handshakeTimeout()} set. */
  public ConnectionLimits withHandshakeTimeout(Duration timeout) {
    return new ConnectionLimits(maxMessageBytes, maxInflightBytes, uploadStallTimeout, timeout);
  }

  /** How often the timeouts are checked: a quarter of the shorter one, between 10 ms and 1 s. */
  Duration checkPeriod() {
    Duration quarter = (uploadStallTimeout.compareTo(handshakeTimeout) < 0 ? uploadStallTimeout : handshakeTimeout)
        .dividedBy(4);
    return quarter.compareTo(SHORTEST_CHECK) < 0 ? SHORTEST_CHECK
        : quarter.compareTo(LONGEST_CHECK) > 0 ? LONGEST_CHECK : quarter;
  }

  private static void requirePositive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
  }
}
