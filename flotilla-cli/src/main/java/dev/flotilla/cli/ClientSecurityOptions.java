package dev.flotilla.cli;

import dev.flotilla.client.ClientSettings;
import dev.flotilla.transport.security.ClientKey;
import dev.flotilla.transport.security.ClientTls;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The client's options for TLS and for proving its key. */
final class ClientSecurityOptions {
  @Option(names = "--tls-ca", paramLabel = "FILE",
      description = "Connect with TLS, trusting the CA certificates of this PEM file (for example ca.pem of"
          + " 'flotilla certs generate').")
  Path tlsCa;

  @Option(names = "--tls-cert", paramLabel = "FILE", description = "Mutual TLS: this client's PEM certificate.")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "Mutual TLS: the PEM private key of --tls-cert.")
  Path tlsKey;

  @Option(names = "--key-dir", paramLabel = "DIR",
      description = "Folder of this client's key (client.key and client.pub of 'flotilla keys generate'), to prove"
          + " its id to a server with --authorized-keys; its id is the client id.")
  Path keyDir;

  @Option(names = "--insecure",
      description = "Allow plaintext to a server that is not on this machine (anyone on the network can read and"
          + " alter the model and updates).")
  boolean insecure;

  /** The client's key, or null without --key-dir. */
  ClientKey key() {
    return keyDir == null ? null : ClientKey.read(keyDir);
  }

  /**
   * {@code builder} with the TLS these options ask for; throws {@link IllegalArgumentException} with one line for
   * options that do not go together, or plaintext to a server that is not on a loopback address without
   * {@code --insecure}.
   */
  ClientSettings.Builder apply(ClientSettings.Builder builder, String serverAddress) {
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException("--tls-cert and --tls-key go together; give both or neither");
    }
    if (tlsCert != null && tlsCa == null) {
      throw new IllegalArgumentException("--tls-cert needs TLS: give --tls-ca, the CA that issued the server's"
          + " certificate");
    }
    if (tlsCa == null) {
      if (!insecure && !isLoopback(serverAddress)) {
        throw new IllegalArgumentException("refusing to connect to " + serverAddress + " without TLS: anyone on the"
            + " network could read and alter the model and this client's updates; give --tls-ca, or run plaintext"
            + " anyway with --insecure");
      }
      return builder;
    }
    ClientTls tls = ClientTls.trusting(tlsCa);
    return builder.tls(tlsCert == null ? tls : tls.withClientCertificate(tlsCert, tlsKey));
  }

  private static boolean isLoopback(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException | SecurityException e) {
      return false;
    }
  }
}
