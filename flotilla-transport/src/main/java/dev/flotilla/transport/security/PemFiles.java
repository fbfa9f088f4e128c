package dev.flotilla.transport.security;

import dev.flotilla.core.FlotillaException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes the PEM files of keys and certificates (RFC 7468): private keys as unencrypted PKCS#8
 * ({@code PRIVATE KEY}), certificates as X.509 ({@code CERTIFICATE}), the forms that OpenSSL 3, gRPC and this
 * project's {@code flotilla keys} and {@code flotilla certs} commands use. Private keys of type RSA, EC (ECDSA),
 * Ed25519 and Ed448 are read with the JDK's providers.
 *
 * <p>A private key is written readable by its owner alone (mode 600 where the file system has POSIX permissions),
 * and reading one that others may read logs a warning. No file is ever overwritten. Every failure throws a
 * {@link FlotillaException} whose message names the file and what is wrong, on one line.
 */
public final class PemFiles {
  private static final Logger log = LoggerFactory.getLogger(PemFiles.class);
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
  private static final List<String> KEY_ALGORITHMS = List.of("EC", "RSA", "Ed25519", "Ed448", "RSASSA-PSS");
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private PemFiles() {}

  /** The PEM text of one block: {@code label} around the base64 of {@code der}, in lines of 64 characters. */
  public static String encode(String label, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
  }

  /** Writes {@code key} as a PKCS#8 {@code PRIVATE KEY} to the new file {@code file}, readable by its owner alone. */
  public static void writePrivateKey(Path file, PrivateKey key) {
    if (!"PKCS#8".equals(key.getFormat())) {
      throw new IllegalArgumentException("a " + key.getAlgorithm() + " key in format " + key.getFormat()
          + " cannot be written as PKCS#8");
    }
    createWith(file, encode("PRIVATE KEY", key.getEncoded()), true);
  }

  /** Writes {@code certificates}, in order (a leaf before its issuers), to the new file {@code file}. */
  public static void writeCertificates(Path file, List<X509Certificate> certificates) {
    StringBuilder text = new StringBuilder();
    for (X509Certificate c : certificates) {
      try {
        text.append(encode("CERTIFICATE", c.getEncoded()));
      } catch (java.security.cert.CertificateEncodingException e) {
        throw new FlotillaException("cannot encode certificate " + c.getSubjectX500Principal() + ": " + e.getMessage(),
            e);
      }
    }
    createWith(file, text.toString(), false);
  }

  /** Writes {@code text} to the new file {@code file}, readable by everyone (a public key, a certificate). */
  public static void writePublic(Path file, String text) {
    createWith(file, text, false);
  }

  /**
   * The private key in {@code file}: its one {@code PRIVATE KEY} block (unencrypted PKCS#8). An encrypted key, or a
   * key in the older PKCS#1 or SEC1 forms, is refused with the {@code openssl} command that converts it.
   */
  public static PrivateKey readPrivateKey(Path file) {
    List<Block> blocks = blocks(file, "private key");
    for (Block b : blocks) {
      switch (b.label()) {
        case "PRIVATE KEY" -> {
          warnIfOthersCanRead(file);
          return privateKey(file, b.der());
        }
        case "ENCRYPTED PRIVATE KEY" -> throw new FlotillaException("private key file " + file + " is encrypted;"
            + " decrypt it with: openssl pkcs8 -in " + file + " -out DECRYPTED.pem");
        case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> throw new FlotillaException("private key file " + file
            + " holds an '" + b.label() + "'; convert it to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in " + file
            + " -out KEY.pem");
        default -> { } // parameters or certificates beside the key
      }
    }
    throw new FlotillaException("private key file " + file + " holds no PRIVATE KEY block");
  }

  /** The certificates in {@code file}, in order; at least one. */
  public static List<X509Certificate> readCertificates(Path file) {
    List<X509Certificate> out = new ArrayList<>();
    for (Block b : blocks(file, "certificate")) {
      if (!b.label().equals("CERTIFICATE")) {
        continue;
      }
      try {
        out.add((X509Certificate) CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(b.der())));
      } catch (CertificateException e) {
        throw new FlotillaException("certificate file " + file + " holds a certificate that cannot be read: "
            + e.getMessage(), e);
      }
    }
    if (out.isEmpty()) {
      throw new FlotillaException("certificate file " + file + " holds no CERTIFICATE block");
    }
    return out;
  }

  /** The text of {@code file}, which holds a {@code what}: one-line errors for a missing or unreadable file. */
  static String readText(Path file, String what) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new FlotillaException(what + " file " + file + " does not exist");
    } catch (IOException e) {
      throw new FlotillaException("cannot read " + what + " file " + file + ": " + e.getMessage(), e);
    }
  }

  private static List<Block> blocks(Path file, String what) {
    String text = readText(file, what);
    List<Block> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      try {
        out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
      } catch (IllegalArgumentException e) {
        throw new FlotillaException(what + " file " + file + " has a " + m.group(1) + " block that is not valid base64");
      }
    }
    if (out.isEmpty()) {
      throw new FlotillaException(what + " file " + file + " is not a PEM file (no -----BEGIN ...----- block)");
    }
    return out;
  }

  private static PrivateKey privateKey(Path file, byte[] pkcs8) {
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        // not this algorithm: try the next
      }
    }
    throw new FlotillaException("private key file " + file + " holds a key of none of the types " + KEY_ALGORITHMS);
  }

  private static void warnIfOthersCanRead(Path file) {
    try {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
      if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
        log.warn("private key file {} can be read by others (mode {}); restrict it with: chmod 600 {}", file,
            PosixFilePermissions.toString(p), file);
      }
    } catch (UnsupportedOperationException | IOException e) {
      // no POSIX permissions here: nothing to check
    }
  }

  private static void createWith(Path file, String text, boolean ownerOnly) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      boolean posix = Files.getFileStore(parent).supportsFileAttributeView("posix");
      if (ownerOnly && posix) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      } else {
        Files.createFile(file);
      }
      Files.writeString(file, text, StandardCharsets.US_ASCII);
    } catch (FileAlreadyExistsException e) {
      throw new FlotillaException(file + " already exists; remove it or write elsewhere");
    } catch (IOException e) {
      throw new FlotillaException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private record Block(String label, byte[] der) {}
}
