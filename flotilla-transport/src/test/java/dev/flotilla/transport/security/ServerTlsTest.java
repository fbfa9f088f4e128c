package dev.flotilla.transport.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.FlotillaException;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** TLS and mutual TLS over gRPC on 127.0.0.1 with both providers, and one-line errors for bad server files. */
class ServerTlsTest {
  private static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);

  @TempDir
  Path dir;
  private TestPki.Issued ca;
  private Path caFile;
  private Path serverCert;
  private Path serverKey;

  /** The JDK's TLS, and BoringSSL where grpc-netty-shaded's native library loads. */
  static List<SslProvider> providers() {
    List<SslProvider> out = new ArrayList<>(List.of(SslProvider.JDK));
    if (OpenSsl.isAvailable()) {
      out.add(SslProvider.OPENSSL);
    }
    return out;
  }

  @BeforeEach
  void issue() {
    ca = TestPki.ca("test CA");
    caFile = ca.write(dir, "ca");
    serverCert = TestPki.server(ca).write(dir, "server");
    serverKey = dir.resolve("server-key.pem");
  }

  @ParameterizedTest
  @MethodSource("providers")
  void clientTrustingTheCaConnectsByAddressAndName(SslProvider provider) throws Exception {
    try (TlsEcho echo = new TlsEcho(ServerTls.of(serverCert, serverKey).sslContext(provider))) {
      assertThat(echo.call(ClientTls.trusting(caFile).sslContext(provider), "127.0.0.1", HELLO)).isEqualTo(HELLO);
      assertThat(echo.call(ClientTls.trusting(caFile).sslContext(provider), "localhost", HELLO)).isEqualTo(HELLO);
    }
  }

  @Test
  void defaultProviderWorks() throws Exception {
    try (TlsEcho echo = new TlsEcho(ServerTls.of(serverCert, serverKey).sslContext())) {
      assertThat(echo.call(ClientTls.trusting(caFile).sslContext(), "127.0.0.1", HELLO)).isEqualTo(HELLO);
    }
  }

  @ParameterizedTest
  @MethodSource("providers")
  void clientTrustingAnotherCaIsRefused(SslProvider provider) throws Exception {
    Path otherCa = TestPki.ca("other CA").write(dir, "other-ca");
    try (TlsEcho echo = new TlsEcho(ServerTls.of(serverCert, serverKey).sslContext(provider))) {
      assertThatThrownBy(() -> echo.call(ClientTls.trusting(otherCa).sslContext(provider), "127.0.0.1", HELLO))
          .isInstanceOf(StatusRuntimeException.class);
    }
  }

  @ParameterizedTest
  @MethodSource("providers")
  void mutualTlsAdmitsOnlyClientsWithACertificateOfTheClientCa(SslProvider provider) throws Exception {
    TestPki.Issued clientCa = TestPki.ca("client CA");
    Path clientCaFile = clientCa.write(dir, "client-ca");
    Path site1 = TestPki.client(clientCa, "site-1").write(dir, "site-1");
    Path stranger = TestPki.client(TestPki.ca("stranger CA"), "site-1").write(dir, "stranger");
    ServerTls tls = ServerTls.of(serverCert, serverKey).requiringClientCertificates(clientCaFile);
    assertThat(tls.mutual()).isTrue();

    try (TlsEcho echo = new TlsEcho(tls.sslContext(provider))) {
      ClientTls withCertificate = ClientTls.trusting(caFile)
          .withClientCertificate(site1, dir.resolve("site-1-key.pem"));
      assertThat(echo.call(withCertificate.sslContext(provider), "127.0.0.1", HELLO)).isEqualTo(HELLO);
      assertThatThrownBy(() -> echo.call(ClientTls.trusting(caFile).sslContext(provider), "127.0.0.1", HELLO))
          .isInstanceOf(StatusRuntimeException.class);
      ClientTls strangeCertificate = ClientTls.trusting(caFile)
          .withClientCertificate(stranger, dir.resolve("stranger-key.pem"));
      assertThatThrownBy(() -> echo.call(strangeCertificate.sslContext(provider), "127.0.0.1", HELLO))
          .isInstanceOf(StatusRuntimeException.class);
    }
  }

  @Test
  void missingOrNonPemFilesAreNamed() throws Exception {
    Path missing = dir.resolve("missing.pem");
    assertOneLine(ServerTls.of(missing, serverKey), "certificate file " + missing + " does not exist");
    assertOneLine(ServerTls.of(serverCert, missing), "private key file " + missing + " does not exist");
    Path text = Files.writeString(dir.resolve("text.pem"), "not a certificate\n");
    assertOneLine(ServerTls.of(text, serverKey), "certificate file " + text + " is not a PEM file");
    assertOneLine(ServerTls.of(serverCert, serverKey).requiringClientCertificates(missing),
        "certificate file " + missing + " does not exist");
  }

  @Test
  void aKeyOfAnotherCertificateIsRefused() {
    TestPki.server(ca).write(dir, "other");
    assertOneLine(ServerTls.of(serverCert, dir.resolve("other-key.pem")),
        "private key " + dir.resolve("other-key.pem") + " does not belong to certificate " + serverCert);
  }

  @Test
  void anExpiredCertificateIsRefused() {
    Path expired = TestPki.expiredServer(ca).write(dir, "expired");
    assertOneLine(ServerTls.of(expired, dir.resolve("expired-key.pem")), "certificate " + expired + " expired on");
  }

  private static void assertOneLine(ServerTls tls, String message) {
    assertThatThrownBy(tls::sslContext).isInstanceOf(FlotillaException.class).hasMessageContaining(message)
        .hasMessageNotContaining("\n");
  }
}
