package dev.flotilla.transport.security;

import dev.flotilla.core.FlotillaException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLException;

/**
 * The TLS of a client's connection to a server, from PEM files: the CA that the server's certificate must chain
 * to, and, for mutual TLS, the client's own certificate and key. {@link #sslContext()} builds what
 * {@code NettyChannelBuilder.sslContext} takes; the server's certificate must name the host the client dials (as
 * {@code flotilla certs generate --host} makes it).
 *
 * @param ca               PEM file of the CA certificates to trust, or null for the JVM's default trust store
 * @param certificateChain PEM file of the client's certificate (then any intermediates), or null to present none
 * @param privateKey       PEM file of the client certificate's private key; null exactly when the chain is
 */
public record ClientTls(Path ca, Path certificateChain, Path privateKey) {
  public ClientTls {
    if ((certificateChain == null) != (privateKey == null)) {
      throw new IllegalArgumentException("a client certificate needs its private key and a key its certificate;"
          + " got certificate " + certificateChain + " and key " + privateKey);
    }
  }

  /** TLS trusting the CA certificates in {@code ca}, presenting no client certificate. */
  public static ClientTls trusting(Path ca) {
    return new ClientTls(Objects.requireNonNull(ca, "ca"), null, null);
  }

  /** TLS trusting the JVM's default trust store (public CAs), presenting no client certificate. */
  public static ClientTls systemTrust() {
    return new ClientTls(null, null, null);
  }

  /** This TLS, presenting the certificate chain and key in the given files for mutual TLS. */
  public ClientTls withClientCertificate(Path certificateChain, Path privateKey) {
    return new ClientTls(ca, Objects.requireNonNull(certificateChain, "certificateChain"),
        Objects.requireNonNull(privateKey, "privateKey"));
  }

  /** Whether the client presents a certificate. */
  public boolean presentsCertificate() {
    return certificateChain != null;
  }

  /**
   * The client's TLS context with gRPC's default provider (BoringSSL where it loads, else the JDK's).
   *
   * @throws FlotillaException with one line naming the file, if a file is missing, unreadable or not PEM, or the
   *     client's key does not belong to its certificate, or that certificate is not valid now
   */
  public SslContext sslContext() {
    return build(null);
  }

  /** The client's TLS context with {@code provider}; see {@link #sslContext()}. */
  public SslContext sslContext(SslProvider provider) {
    return build(Objects.requireNonNull(provider, "provider"));
  }

  private SslContext build(SslProvider provider) {
    SslContextBuilder builder = provider == null
        ? GrpcSslContexts.forClient() : GrpcSslContexts.configure(SslContextBuilder.forClient(), provider);
    if (ca != null) {
      builder.trustManager(PemFiles.readCertificates(ca).toArray(X509Certificate[]::new));
    }
    if (certificateChain != null) {
      List<X509Certificate> chain = PemFiles.readCertificates(certificateChain);
      PrivateKey key = PemFiles.readPrivateKey(privateKey);
      Keys.requireUsable(chain.get(0), certificateChain, key, privateKey);
      builder.keyManager(key, chain.toArray(X509Certificate[]::new));
    }
    try {
      return builder.build();
    } catch (SSLException | RuntimeException e) {
      throw new FlotillaException("cannot set up TLS" + (ca == null ? "" : " trusting " + ca) + ": " + e.getMessage(),
          e);
    }
  }
}
