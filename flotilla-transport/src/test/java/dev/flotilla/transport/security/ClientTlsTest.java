package dev.flotilla.transport.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.FlotillaException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's TLS files: what it presents and trusts, and one-line errors for bad files. */
class ClientTlsTest {
  @TempDir
  Path dir;

  @Test
  void aCertificateComesWithItsKey() {
    assertThatThrownBy(() -> new ClientTls(null, dir.resolve("c.pem"), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs its private key");
    assertThat(ClientTls.systemTrust().presentsCertificate()).isFalse();
    assertThat(ClientTls.systemTrust().sslContext().isClient()).isTrue();
  }

  @Test
  void badFilesAreNamed() {
    TestPki.Issued ca = TestPki.ca("test CA");
    Path caFile = ca.write(dir, "ca");
    Path missing = dir.resolve("missing.pem");
    assertOneLine(ClientTls.trusting(missing), "certificate file " + missing + " does not exist");
    Path site1 = TestPki.client(ca, "site-1").write(dir, "site-1");
    TestPki.client(ca, "site-2").write(dir, "site-2");
    assertOneLine(ClientTls.trusting(caFile).withClientCertificate(site1, dir.resolve("site-2-key.pem")),
        "private key " + dir.resolve("site-2-key.pem") + " does not belong to certificate " + site1);
    assertOneLine(ClientTls.trusting(caFile).withClientCertificate(site1, missing),
        "private key file " + missing + " does not exist");
  }

  private static void assertOneLine(ClientTls tls, String message) {
    assertThatThrownBy(tls::sslContext).isInstanceOf(FlotillaException.class).hasMessageContaining(message)
        .hasMessageNotContaining("\n");
  }
}
