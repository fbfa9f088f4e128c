package dev.flotilla.cli;

import dev.flotilla.core.FlotillaException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;

/**
 * A throwaway certificate authority and the certificates it issues, for trying TLS and mutual TLS without a real
 * PKI: ECDSA P-256 keys from the JDK, X.509 v3 certificates built and signed with BouncyCastle's builder (the JDK
 * has no public API to issue certificates), through the JDK's own signature provider. Certificates are valid from
 * an hour ago (for clocks a little behind) for the given validity.
 */
final class TrialCertificates {
  /** The names every server certificate covers, before those given. */
  static final List<String> DEFAULT_HOSTS = List.of("127.0.0.1", "localhost");
  private static final Pattern DNS_NAME =
      Pattern.compile("(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
  private static final Duration BACKDATE = Duration.ofHours(1);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A certificate and its private key. */
  record Issued(X509Certificate certificate, PrivateKey key) {}

  private TrialCertificates() {}

  /** A new self-signed CA, named "Flotilla trial CA" and a random tag so that two trial CAs never share a name. */
  static Issued newCa(Duration validity) {
    KeyPair pair = newKeyPair();
    X500Name name = name("Flotilla trial CA " + HexFormat.of().formatHex(randomBytes(4)));
    X509v3CertificateBuilder b = builder(name, name, pair, validity);
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
    } catch (CertIOException | GeneralSecurityException e) {
      throw new FlotillaException("cannot build the CA certificate: " + e.getMessage(), e);
    }
    return new Issued(sign(b, pair.getPrivate()), pair.getPrivate());
  }

  /**
   * A server certificate issued by {@code ca} for 127.0.0.1, localhost and {@code hosts} (IP addresses or DNS names,
   * a leading {@code *.} allowed), named after the first given host.
   */
  static Issued issueServer(Issued ca, List<String> hosts, Duration validity) {
    Set<String> all = new LinkedHashSet<>(DEFAULT_HOSTS);
    all.addAll(hosts);
    List<GeneralName> names = new ArrayList<>();
    for (String host : all) {
      names.add(generalName(host));
    }
    String commonName = hosts.isEmpty() ? "localhost" : hosts.get(0);
    return issue(ca, commonName, KeyPurposeId.id_kp_serverAuth,
        new GeneralNames(names.toArray(GeneralName[]::new)), validity);
  }

  /** A client certificate issued by {@code ca} to {@code name}, for mutual TLS. */
  static Issued issueClient(Issued ca, String name, Duration validity) {
    return issue(ca, name, KeyPurposeId.id_kp_clientAuth, null, validity);
  }

  /** The subject alternative name of {@code host}; throws {@link IllegalArgumentException} for anything else. */
  static GeneralName generalName(String host) {
    if (IPAddress.isValid(host)) {
      return new GeneralName(GeneralName.iPAddress, host);
    }
    if (host.length() <= 253 && DNS_NAME.matcher(host).matches()) {
      return new GeneralName(GeneralName.dNSName, host);
    }
    throw new IllegalArgumentException("host '" + host + "' is neither an IP address nor a DNS name");
  }

  private static Issued issue(Issued ca, String commonName, KeyPurposeId purpose, GeneralNames names,
      Duration validity) {
    KeyPair pair = newKeyPair();
    X500Name issuer = X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
    X509v3CertificateBuilder b = builder(issuer, name(commonName), pair, validity);
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
      b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca.certificate()));
      if (names != null) {
        b.addExtension(Extension.subjectAlternativeName, false, names);
      }
    } catch (CertIOException | GeneralSecurityException e) {
      throw new FlotillaException("cannot build the certificate of " + commonName + ": " + e.getMessage(), e);
    }
    return new Issued(sign(b, ca.key()), pair.getPrivate());
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair pair, Duration validity) {
    if (validity.isNegative() || validity.isZero()) {
      throw new IllegalArgumentException("a certificate must be valid for some time, got " + validity);
    }
    Instant from = Instant.now().minus(BACKDATE);
    BigInteger serial = new BigInteger(1, randomBytes(16)); // positive, at most 20 bytes encoded (RFC 5280)
    return new JcaX509v3CertificateBuilder(issuer, serial, Date.from(from), Date.from(from.plus(BACKDATE).plus(validity)),
        subject, pair.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey) {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    } catch (OperatorCreationException | java.security.cert.CertificateException e) {
      throw new FlotillaException("cannot sign a certificate: " + e.getMessage(), e);
    }
  }

  private static X500Name name(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new FlotillaException("this JVM cannot generate EC P-256 keys: " + e.getMessage(), e);
    }
  }

  private static byte[] randomBytes(int n) {
    byte[] out = new byte[n];
    RANDOM.nextBytes(out);
    return out;
  }
}
