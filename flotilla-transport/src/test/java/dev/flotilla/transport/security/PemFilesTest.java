package dev.flotilla.transport.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.FlotillaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM keys and certificates: round trips, owner-only private keys, one-line errors naming the file. */
class PemFilesTest {
  @TempDir
  Path dir;

  @Test
  void privateKeysOfEveryTypeRoundTrip() throws Exception {
    for (String algorithm : List.of("EC", "RSA", "Ed25519", "Ed448")) {
      PrivateKey key = KeyPairGenerator.getInstance(algorithm).generateKeyPair().getPrivate();
      Path file = dir.resolve(algorithm + ".pem");
      PemFiles.writePrivateKey(file, key);

      assertThat(PemFiles.readPrivateKey(file).getEncoded()).as(algorithm).isEqualTo(key.getEncoded());
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }
  }

  @Test
  void certificatesRoundTripInOrder() {
    TestPki.Issued ca = TestPki.ca("test CA");
    TestPki.Issued server = TestPki.server(ca);
    Path file = dir.resolve("chain.pem");
    PemFiles.writeCertificates(file, List.of(server.certificate(), ca.certificate()));

    assertThat(PemFiles.readCertificates(file)).containsExactly(server.certificate(), ca.certificate());
  }

  @Test
  void filesAreNeverOverwritten() throws Exception {
    Path file = dir.resolve("key.pem");
    Files.writeString(file, "precious");

    assertThatThrownBy(() -> PemFiles.writePrivateKey(file, TestPki.ecKeyPair().getPrivate()))
        .isInstanceOf(FlotillaException.class).hasMessage(file + " already exists; remove it or write elsewhere");
    assertThat(Files.readString(file)).isEqualTo("precious");
  }

  @Test
  void badFilesGetOneLineNamingThem() throws Exception {
    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(() -> PemFiles.readCertificates(missing)).isInstanceOf(FlotillaException.class)
        .hasMessage("certificate file " + missing + " does not exist");
    Path text = write("text.pem", "hello\n");
    assertThatThrownBy(() -> PemFiles.readPrivateKey(text)).isInstanceOf(FlotillaException.class)
        .hasMessage("private key file " + text + " is not a PEM file (no -----BEGIN ...----- block)");
    Path keyOnly = dir.resolve("key.pem");
    PemFiles.writePrivateKey(keyOnly, TestPki.ecKeyPair().getPrivate());
    assertThatThrownBy(() -> PemFiles.readCertificates(keyOnly)).isInstanceOf(FlotillaException.class)
        .hasMessage("certificate file " + keyOnly + " holds no CERTIFICATE block");
    Path garbage = write("garbage.pem", PemFiles.encode("PRIVATE KEY", new byte[] {1, 2, 3}));
    assertThatThrownBy(() -> PemFiles.readPrivateKey(garbage)).isInstanceOf(FlotillaException.class)
        .hasMessageStartingWith("private key file " + garbage + " holds a key of none of the types");
  }

  @Test
  void olderAndEncryptedKeyFormsAreRefusedWithTheCommandThatConverts() throws Exception {
    Path pkcs1 = write("rsa.pem", PemFiles.encode("RSA PRIVATE KEY", new byte[] {1}));
    assertThatThrownBy(() -> PemFiles.readPrivateKey(pkcs1)).isInstanceOf(FlotillaException.class)
        .hasMessageContaining("holds an 'RSA PRIVATE KEY'").hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    Path encrypted = write("enc.pem", PemFiles.encode("ENCRYPTED PRIVATE KEY", new byte[] {1}));
    assertThatThrownBy(() -> PemFiles.readPrivateKey(encrypted)).isInstanceOf(FlotillaException.class)
        .hasMessageContaining("is encrypted");
  }

  private Path write(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }
}
