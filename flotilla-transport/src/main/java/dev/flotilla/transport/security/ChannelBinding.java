package dev.flotilla.transport.security;

import dev.flotilla.core.FlotillaException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The value that ties a client's signature ({@link ClientKey#sign}) to the TLS connection it was made on, so that a
 * server that a client connected to cannot pass the client's answer on to another server. The JDK's TLS offers no
 * exporter or {@code tls-unique} value to applications, so Flotilla binds to the server's certificate in the manner
 * of {@code tls-server-end-point} (RFC 5929): the ASCII label {@code tls-server-end-point:} followed by the SHA-256 of
 * the certificate's DER encoding. Both ends compute the same value: the server from its own certificate, the client
 * from the certificate the server presented. Without TLS the binding is empty, and a signature is tied to its
 * challenge alone.
 *
 * <p>With gRPC, both ends find the TLS session under {@code Grpc.TRANSPORT_ATTR_SSL_SESSION} in their call's
 * attributes ({@code ServerCall.getAttributes()}, {@code ClientCall.getAttributes()}).
 */
public final class ChannelBinding {
  private static final byte[] LABEL = "tls-server-end-point:".getBytes(StandardCharsets.US_ASCII);

  private ChannelBinding() {}

  /** The binding of a connection without TLS: empty. */
  public static byte[] none() {
    return new byte[0];
  }

  /** The binding to {@code serverCertificate}: the label and the SHA-256 of its DER encoding. */
  public static byte[] ofServerCertificate(Certificate serverCertificate) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(serverCertificate.getEncoded());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(LABEL);
      out.writeBytes(hash);
      return out.toByteArray();
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new FlotillaException("cannot hash the server's certificate: " + e.getMessage(), e);
    }
  }

  /** The server's binding of a connection with TLS session {@code session}, or {@link #none()} if it is null. */
  public static byte[] forServer(SSLSession session) {
    if (session == null) {
      return none();
    }
    Certificate[] own = session.getLocalCertificates();
    if (own == null || own.length == 0) {
      throw new FlotillaException("the TLS session has no server certificate to bind to");
    }
    return ofServerCertificate(own[0]);
  }

  /** The client's binding of a connection with TLS session {@code session}, or {@link #none()} if it is null. */
  public static byte[] forClient(SSLSession session) {
    if (session == null) {
      return none();
    }
    try {
      return ofServerCertificate(session.getPeerCertificates()[0]);
    } catch (SSLPeerUnverifiedException e) {
      throw new FlotillaException("the TLS session has no verified server certificate to bind to", e);
    }
  }
}
