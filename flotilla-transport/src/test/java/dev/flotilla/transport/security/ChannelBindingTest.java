package dev.flotilla.transport.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Both ends of a TLS connection compute the same binding, and it names the server's certificate. */
class ChannelBindingTest {
  @TempDir
  Path dir;

  @ParameterizedTest
  @MethodSource("dev.flotilla.transport.security.ServerTlsTest#providers")
  void serverAndClientAgreeOnTheBindingOfTheirConnection(SslProvider provider) throws Exception {
    TestPki.Issued ca = TestPki.ca("test CA");
    Path caFile = ca.write(dir, "ca");
    TestPki.Issued server = TestPki.server(ca);
    Path serverCert = server.write(dir, "server");

    try (TlsEcho echo = new TlsEcho(ServerTls.of(serverCert, dir.resolve("server-key.pem")).sslContext(provider))) {
      echo.callRecordingSession(ClientTls.trusting(caFile).sslContext(provider), new byte[] {1});

      byte[] atServer = ChannelBinding.forServer(echo.serverSession.get());
      byte[] atClient = ChannelBinding.forClient(echo.clientSession.get());
      assertThat(atServer).isEqualTo(atClient).isEqualTo(ChannelBinding.ofServerCertificate(server.certificate()));
      assertThat(new String(atServer, 0, 21, StandardCharsets.US_ASCII)).isEqualTo("tls-server-end-point:");
      assertThat(atServer).hasSize(21 + 32);
    }
  }

  @Test
  void anotherCertificateBindsDifferentlyAndNoTlsBindsNothing() {
    TestPki.Issued ca = TestPki.ca("test CA");
    assertThat(ChannelBinding.ofServerCertificate(TestPki.server(ca).certificate()))
        .isNotEqualTo(ChannelBinding.ofServerCertificate(TestPki.server(ca).certificate()));
    assertThat(ChannelBinding.forServer(null)).isEmpty();
    assertThat(ChannelBinding.forClient(null)).isEmpty();
    assertThat(ChannelBinding.none()).isEmpty();
  }
}
