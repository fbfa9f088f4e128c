package dev.flotilla.server;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.transport.security.AuthorizedKeys;
import dev.flotilla.transport.security.ServerTls;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * Who may connect to a server and how the connection is protected: TLS on the gRPC port (optionally mutual), the
 * clients admitted by their keys, and whether plaintext is allowed beyond the loopback interface.
 *
 * <p>With {@code authorizedKeys}, a client must prove that it holds the key bound to the client id it says, by
 * signing a fresh challenge of its connection (see {@link dev.flotilla.transport.security.AuthChallenge}); it is
 * registered, and may replace an older connection with its id, only after that. Without, any client is admitted
 * under the id it says, and a newer connection with an id replaces the older one.
 *
 * <p>Without TLS the server listens only on a loopback address unless {@code insecure} is set: plaintext across a
 * network lets anyone on the path read and alter the model and the clients' updates.
 *
 * @param tls            the TLS of the gRPC port, or null for plaintext
 * @param authorizedKeys the clients admitted and their keys, or null to admit any client
 * @param insecure       whether to allow plaintext on an address that is not loopback
 */
public record ServerSecurity(ServerTls tls, AuthorizedKeys authorizedKeys, boolean insecure) {
  private static final ServerSecurity PLAINTEXT = new ServerSecurity(null, null, false);

  /** Plaintext, any client admitted, loopback addresses only: for a server and its clients on one machine. */
  public static ServerSecurity plaintext() {
    return PLAINTEXT;
  }

  /** This security with TLS on the gRPC port. */
  public ServerSecurity withTls(ServerTls serverTls) {
    return new ServerSecurity(Objects.requireNonNull(serverTls, "serverTls"), authorizedKeys, insecure);
  }

  /** This security admitting only the clients of {@code keys}, each proving its key. */
  public ServerSecurity withAuthorizedKeys(AuthorizedKeys keys) {
    return new ServerSecurity(tls, Objects.requireNonNull(keys, "keys"), insecure);
  }

  /** This security, allowing plaintext on any address. */
  public ServerSecurity allowingInsecure() {
    return new ServerSecurity(tls, authorizedKeys, true);
  }

  /** Whether clients must prove their keys. */
  public boolean authenticatesClients() {
    return authorizedKeys != null;
  }

  /**
   * Throws {@link FlotillaException} with one line if a server with this security must not listen on {@code host}:
   * plaintext on an address that is not loopback (or that does not resolve), without {@link #insecure()}.
   */
  public void checkListening(String host) {
    if (tls != null || insecure || isLoopback(host)) {
      return;
    }
    throw new FlotillaException("refusing to listen on " + host + " without TLS: anyone on the network could read"
        + " and alter the model and the clients' updates; give a certificate (--tls-cert and --tls-key), listen on"
        + " 127.0.0.1, or run plaintext anyway with --insecure");
  }

  /** Whether {@code host} names a loopback address. */
  static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException | SecurityException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return (tls == null ? "plaintext" : tls.mutual() ? "mutual TLS" : "TLS")
        + (authorizedKeys == null ? "" : ", " + authorizedKeys.size() + " authorized client keys")
        + (insecure && tls == null ? " (insecure)" : "");
  }
}
