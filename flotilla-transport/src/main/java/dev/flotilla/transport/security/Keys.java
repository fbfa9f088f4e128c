package dev.flotilla.transport.security;

import dev.flotilla.core.FlotillaException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;

/** Checks on keys and certificates read from files, failing with one line that names the files. */
final class Keys {
  private static final byte[] PROBE = "flotilla key pair check".getBytes(StandardCharsets.US_ASCII);

  private Keys() {}

  /**
   * Whether {@code privateKey} is the other half of {@code publicKey}: a signature by the one verifies with the
   * other. Keys of a type without a plain signature (RSASSA-PSS) are taken as matching.
   */
  static boolean match(PrivateKey privateKey, PublicKey publicKey) {
    String algorithm = switch (privateKey.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
      default -> null;
    };
    if (algorithm == null) {
      return true;
    }
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(PROBE);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(PROBE);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false; // keys of different types, or a broken key
    }
  }

  /**
   * Throws unless {@code privateKey} (from {@code keyFile}) belongs to {@code leaf}, the first certificate of
   * {@code chainFile}, and that certificate is valid now.
   */
  static void requireUsable(X509Certificate leaf, Path chainFile, PrivateKey privateKey, Path keyFile) {
    try {
      leaf.checkValidity();
    } catch (CertificateExpiredException e) {
      throw new FlotillaException("certificate " + chainFile + " expired on " + leaf.getNotAfter().toInstant());
    } catch (CertificateNotYetValidException e) {
      throw new FlotillaException("certificate " + chainFile + " is not valid before "
          + leaf.getNotBefore().toInstant());
    }
    if (!match(privateKey, leaf.getPublicKey())) {
      throw new FlotillaException("private key " + keyFile + " does not belong to certificate " + chainFile
          + " (" + leaf.getSubjectX500Principal() + ")");
    }
  }
}
