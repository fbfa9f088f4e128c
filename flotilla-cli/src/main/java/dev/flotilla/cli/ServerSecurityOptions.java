package dev.flotilla.cli;

import dev.flotilla.server.ConnectionLimits;
import dev.flotilla.server.ServerSecurity;
import dev.flotilla.transport.security.AuthorizedKeys;
import dev.flotilla.transport.security.ServerTls;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The server's options for TLS, client authentication by key, and what one connection may cost. Checked when the
 * settings are built, with one-line errors that name the option.
 */
final class ServerSecurityOptions {
  @Option(names = "--tls-cert", paramLabel = "FILE",
      description = "PEM certificate chain of the server (for example server.pem of 'flotilla certs generate').")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key of --tls-cert (PKCS#8).")
  Path tlsKey;

  @Option(names = "--tls-client-ca", paramLabel = "FILE",
      description = "Mutual TLS: clients must present a certificate issued by a CA of this PEM file.")
  Path tlsClientCa;

  @Option(names = "--authorized-keys", paramLabel = "FILE",
      description = "Admit only the clients of this file ('ed25519 KEY CLIENT-ID' per line, from"
          + " 'flotilla keys generate'); each proves its key on every connection.")
  Path authorizedKeys;

  @Option(names = "--insecure",
      description = "Allow plaintext on an address that is not loopback (anyone on the network can read and alter"
          + " the model and updates).")
  boolean insecure;

  @Option(names = "--max-message-bytes", paramLabel = "SIZE", converter = ByteSizeConverter.class,
      description = "Most array bytes a client's message may declare, unless its request names the exact arrays"
          + " (default: 256m).")
  Long maxMessageBytes;

  @Option(names = "--max-inflight-bytes", paramLabel = "SIZE", converter = ByteSizeConverter.class,
      description = "Most array bytes of uploads received or held at once, across clients (default: 1g).")
  Long maxInflightBytes;

  @Option(names = "--upload-stall-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Close a client whose upload sends nothing for this long (default: 30s).")
  Duration uploadStallTimeout;

  @Option(names = "--handshake-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Close a connection that has not said hello and proven its key within this (default: 10s).")
  Duration handshakeTimeout;

  /** The security these options ask for; throws {@link IllegalArgumentException} naming a missing option. */
  ServerSecurity security() {
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException("--tls-cert and --tls-key go together; give both or neither");
    }
    if (tlsClientCa != null && tlsCert == null) {
      throw new IllegalArgumentException("--tls-client-ca needs TLS: give --tls-cert and --tls-key as well");
    }
    ServerSecurity security = ServerSecurity.plaintext();
    if (tlsCert != null) {
      ServerTls tls = ServerTls.of(tlsCert, tlsKey);
      security = security.withTls(tlsClientCa == null ? tls : tls.requiringClientCertificates(tlsClientCa));
    }
    if (authorizedKeys != null) {
      security = security.withAuthorizedKeys(AuthorizedKeys.read(authorizedKeys));
    }
    return insecure ? security.allowingInsecure() : security;
  }

  /** The connection limits: the defaults, with the options given. */
  ConnectionLimits limits() {
    ConnectionLimits limits = ConnectionLimits.defaults();
    if (maxMessageBytes != null) {
      limits = limits.withMaxMessageBytes(maxMessageBytes);
    }
    if (maxInflightBytes != null) {
      limits = limits.withMaxInflightBytes(maxInflightBytes);
    } else if (limits.maxMessageBytes() > limits.maxInflightBytes()) {
      limits = limits.withMaxInflightBytes(limits.maxMessageBytes());
    }
    if (uploadStallTimeout != null) {
      limits = limits.withUploadStallTimeout(uploadStallTimeout);
    }
    if (handshakeTimeout != null) {
      limits = limits.withHandshakeTimeout(handshakeTimeout);
    }
    return limits;
  }
}
