package dev.flotilla.transport.security;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates for the TLS tests, issued with BouncyCastle's builder on JDK EC P-256 keys: a CA, server
 * certificates for 127.0.0.1 and localhost, client certificates, and expired ones. Public, in the test jar, for the
 * server's TLS tests.
 */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(1);

  /** A certificate and its private key. */
  public record Issued(X509Certificate certificate, PrivateKey key) {
    /** Writes {@code NAME.pem} and {@code NAME-key.pem} into {@code dir}; returns the certificate's file. */
    public Path write(Path dir, String name) {
      Path cert = dir.resolve(name + ".pem");
      PemFiles.writeCertificates(cert, List.of(certificate));
      PemFiles.writePrivateKey(dir.resolve(name + "-key.pem"), key);
      return cert;
    }
  }

  private TestPki() {}

  /** A CA named {@code name}, valid for a day. */
  public static Issued ca(String name) {
    KeyPair pair = ecKeyPair();
    return new Issued(build(new X500Name("CN=" + name), pair, new X500Name("CN=" + name), pair.getPrivate(),
        Instant.now().minusSeconds(60), Duration.ofDays(1), true, null), pair.getPrivate());
  }

  /** A server certificate for 127.0.0.1 and localhost issued by {@code ca}, valid for a day. */
  public static Issued server(Issued ca) {
    return leaf(ca, "server", Instant.now().minusSeconds(60), Duration.ofDays(1),
        new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
            new GeneralName(GeneralName.dNSName, "localhost")}));
  }

  /** A client certificate named {@code name} issued by {@code ca}, valid for a day. */
  public static Issued client(Issued ca, String name) {
    return leaf(ca, name, Instant.now().minusSeconds(60), Duration.ofDays(1), null);
  }

  /** A server certificate like {@link #server}'s that expired an hour ago. */
  public static Issued expiredServer(Issued ca) {
    return leaf(ca, "server", Instant.now().minus(Duration.ofDays(2)), Duration.ofDays(1).plusHours(23),
        new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
  }

  private static Issued leaf(Issued ca, String name, Instant from, Duration validity, GeneralNames names) {
    KeyPair pair = ecKeyPair();
    X500Name issuer = new X500Name(ca.certificate().getSubjectX500Principal().getName());
    return new Issued(build(new X500Name("CN=" + name), pair, issuer, ca.key(), from, validity, false, names),
        pair.getPrivate());
  }

  private static X509Certificate build(X500Name subject, KeyPair pair, X500Name issuer, PrivateKey issuerKey,
      Instant from, Duration validity, boolean isCa, GeneralNames names) {
    try {
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer,
          BigInteger.valueOf(SERIAL.getAndIncrement()), Date.from(from), Date.from(from.plus(validity)), subject,
          pair.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
      b.addExtension(Extension.keyUsage, true,
          new KeyUsage(isCa ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
      if (names != null) {
        b.addExtension(Extension.subjectAlternativeName, false, names);
      }
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new EC key pair on P-256. */
  public static KeyPair ecKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
