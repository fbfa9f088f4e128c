package dev.flotilla.server;

import com.google.protobuf.ByteString;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.transport.Protocol;
import dev.flotilla.transport.ProtocolException;
import dev.flotilla.transport.WireValues;
import dev.flotilla.transport.proto.AuthChallenge;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.transport.proto.Hello;
import dev.flotilla.transport.security.AuthenticationException;
import dev.flotilla.transport.security.AuthorizedKeys;
import dev.flotilla.transport.security.ChannelBinding;
import io.grpc.Status;
import javax.net.ssl.SSLSession;

/**
 * The start of one connection, seen from the server: the client's hello and, when the server authenticates clients,
 * its proof of its key. Each frame of the handshake yields the next {@link Step}: challenge the client, welcome it,
 * or refuse it. A client that fails to prove its key is told only {@code UNAUTHENTICATED}; the precise reason is for
 * the server's log, so that a prober learns nothing about which ids exist.
 *
 * <p>Not thread-safe: fed from the connection's callbacks, one frame at a time.
 */
final class Handshake {
  /** What the connection does after a frame of the handshake. */
  sealed interface Step {}

  /** Send {@code frame}, a challenge, and wait for the answer. */
  record Challenge(Frame frame) implements Step {}

  /** The client is admitted as {@code info}; {@code authenticated} if it proved its key. */
  record Admitted(ClientInfo info, boolean authenticated) implements Step {}

  /** Refuse the client with {@code status}; {@code reason} is for the log. */
  record Refused(Status status, String reason) implements Step {}

  private final AuthorizedKeys keys;
  private final SSLSession tls;
  private volatile ClientInfo claimed; // said in the hello, not yet proven; read by the watchdog for its log
  private dev.flotilla.transport.security.AuthChallenge challenge;

  /**
   * @param keys the clients admitted, or null to admit any client under the id it says
   * @param tls  the connection's TLS session, or null: what the client's signature is bound to
   */
  Handshake(AuthorizedKeys keys, SSLSession tls) {
    this.keys = keys;
    this.tls = tls;
  }

  /** The id the client said, made printable, or {@code "?"} before its hello. */
  String claimedId() {
    return claimed == null ? "?" : claimed.id().replaceAll("\\p{Cntrl}", "?");
  }

  /** The next step after {@code frame}; throws {@link ProtocolException} for a frame that is out of place. */
  Step accept(Frame frame) {
    return claimed == null ? hello(frame) : answer(frame);
  }

  private Step hello(Frame frame) {
    if (!frame.hasHello()) {
      throw new ProtocolException("the first frame must be a hello, got " + frame.getKindCase());
    }
    Hello h = frame.getHello();
    if (h.getProtocolVersion() != Protocol.VERSION) {
      String why = Protocol.versionMismatch(h.getProtocolVersion());
      return new Refused(Status.FAILED_PRECONDITION.withDescription(why), why);
    }
    if (h.getClientId().isEmpty()) {
      throw new ProtocolException("the hello has an empty client id");
    }
    claimed = new ClientInfo(h.getClientId(), WireValues.toConfig(h.getPropertiesList()));
    if (keys == null) {
      return new Admitted(claimed, false);
    }
    challenge = dev.flotilla.transport.security.AuthChallenge.issue();
    return new Challenge(Frame.newBuilder()
        .setAuthChallenge(AuthChallenge.newBuilder().setNonce(ByteString.copyFrom(challenge.bytes()))).build());
  }

  private Step answer(Frame frame) {
    if (challenge == null) {
      throw new IllegalStateException("the handshake is over");
    }
    if (!frame.hasAuthResponse()) {
      throw new ProtocolException("the server asked client '" + claimedId() + "' to prove its key, but it sent "
          + frame.getKindCase());
    }
    try {
      challenge.verify(keys, claimed.id(), frame.getAuthResponse().getSignature().toByteArray(),
          ChannelBinding.forServer(tls));
    } catch (AuthenticationException e) {
      return new Refused(Status.UNAUTHENTICATED.withDescription("authentication failed"), e.getMessage());
    } finally {
      challenge = null;
    }
    return new Admitted(claimed, true);
  }
}
