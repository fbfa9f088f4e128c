package dev.flotilla.transport.security;

import dev.flotilla.core.FlotillaException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
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
 * The TLS of a server's gRPC port, from PEM files: its certificate chain and private key, and, for mutual TLS, the
 * CA whose certificates clients must present. {@link #sslContext()} builds what
 * {@code NettyServerBuilder.sslContext} takes.
 *
 * @param certificateChain PEM file of the server's certificate, then any intermediate CA certificates
 * @param privateKey       PEM file of the certificate's private key, unencrypted PKCS#8 (see {@link PemFiles})
 * @param clientCa         PEM file of the CA certificates that client certificates must chain to, or null to ask
 *                         clients for no certificate
 */
public record ServerTls(Path certificateChain, Path privateKey, Path clientCa) {
  public ServerTls {
    Objects.requireNonNull(certificateChain, "certificateChain");
    Objects.requireNonNull(privateKey, "privateKey");
  }

  /** TLS with the server's certificate chain and key; clients present no certificate. */
  public static ServerTls of(Path certificateChain, Path privateKey) {
    return new ServerTls(certificateChain, privateKey, null);
  }

  /** This TLS, requiring every client to present a certificate issued by a CA in {@code clientCa}. */
  public ServerTls requiringClientCertificates(Path clientCa) {
    return new ServerTls(certificateChain, privateKey, Objects.requireNonNull(clientCa, "clientCa"));
  }

  /** Whether clients must present a certificate (mutual TLS). */
  public boolean mutual() {
    return clientCa != null;
  }

  /**
   * The server's TLS context with gRPC's default provider: BoringSSL from grpc-netty-shaded where its native library
   * loads, else the JDK's.
   *
   * @throws FlotillaException with one line naming the file, if a file is missing, unreadable or not PEM, the key
   *     does not belong to the certificate, or the certificate is not valid now
   */
  public SslContext sslContext() {
    return build(null);
  }

  /** The server's TLS context with {@code provider}; see {@link #sslContext()}. */
  public SslContext sslContext(SslProvider provider) {
    return build(Objects.requireNonNull(provider, "provider"));
  }

  private SslContext build(SslProvider provider) {
    List<X509Certificate> chain = PemFiles.readCertificates(certificateChain);
    PrivateKey key = PemFiles.readPrivateKey(privateKey);
    Keys.requireUsable(chain.get(0), certificateChain, key, privateKey);
    SslContextBuilder builder = SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new));
    builder = provider == null ? GrpcSslContexts.configure(builder) : GrpcSslContexts.configure(builder, provider);
    if (clientCa != null) {
      builder.trustManager(PemFiles.readCertificates(clientCa).toArray(X509Certificate[]::new))
          .clientAuth(ClientAuth.REQUIRE);
    }
    try {
      return builder.build();
    } catch (SSLException | RuntimeException e) {
      throw new FlotillaException("cannot set up TLS with " + certificateChain + " and " + privateKey + ": "
          + e.getMessage(), e);
    }
  }
}
