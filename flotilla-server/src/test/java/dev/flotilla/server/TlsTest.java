package dev.flotilla.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.client.FlotillaClient;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.testing.FakeClientApp;
import dev.flotilla.core.testing.TestModels;
import dev.flotilla.transport.security.ClientTls;
import dev.flotilla.transport.security.ServerTls;
import dev.flotilla.transport.security.TestPki;
import dev.flotilla.workflow.RunSummary;
import dev.flotilla.workflow.SyncSettings;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** TLS on the gRPC port, with real certificates over real connections on 127.0.0.1. */
@Timeout(30)
class TlsTest {
  static final SyncSettings ONE_ROUND = SyncSettings.builder().rounds(1).minClients(1).minFitClients(1)
      .roundTimeout(Duration.ofSeconds(20)).evaluateInitial(false).build();

  @TempDir
  Path dir;
  private Path ca;
  private Path serverCert;
  private Path otherCa;
  private Path clientCert;

  @BeforeEach
  void pki() {
    TestPki.Issued authority = TestPki.ca("flotilla test CA");
    ca = authority.write(dir, "ca");
    serverCert = TestPki.server(authority).write(dir, "server");
    clientCert = TestPki.client(authority, "site-1").write(dir, "client");
    otherCa = TestPki.ca("someone else's CA").write(dir, "other-ca");
  }

  private ServerTls serverTls() {
    return ServerTls.of(serverCert, dir.resolve("server-key.pem"));
  }

  private static TestFleet fleet(ServerTls tls) {
    return TestFleet.start(s -> s.security(ServerSecurity.plaintext().withTls(tls)));
  }

  /** A peer on a TLS channel that trusts {@code trusted} and presents {@code certificate} (if not null). */
  private RawPeer tlsPeer(TestFleet fleet, Path trusted, Path certificate) {
    ClientTls tls = ClientTls.trusting(trusted);
    if (certificate != null) {
      tls = tls.withClientCertificate(certificate, dir.resolve("client-key.pem"));
    }
    return new RawPeer(NettyChannelBuilder.forAddress("127.0.0.1", fleet.server().port())
        .sslContext(tls.sslContext()).build(), true);
  }

  @Test
  void clientTrustingTheCaTrainsAndAPlaintextClientIsRefused() throws Exception {
    try (TestFleet fleet = fleet(serverTls()); RawPeer plaintext = new RawPeer(fleet.server().port())) {
      plaintext.sendHello("plain");
      assertThat(plaintext.awaitClosed(Duration.ofSeconds(10)).getCode()).isEqualTo(Status.Code.UNAVAILABLE);

      fleet.client(TestFleet.settings(fleet.target(), "site-1").tls(ClientTls.trusting(ca)).build(),
          FakeClientApp.adding(1, 1));
      RunSummary summary = fleet.run(new FedAvg(), TestModels.small(), ONE_ROUND);

      assertThat(summary.records().get(0).clientsOk()).isEqualTo(1);
      assertThat(summary.finalModel().contentEquals(TestModels.plus(TestModels.small(), 1))).isTrue();
    }
  }

  @Test
  void clientTrustingAnotherCaIsRefused() throws Exception {
    try (TestFleet fleet = fleet(serverTls()); RawPeer wrongCa = tlsPeer(fleet, otherCa, null)) {
      wrongCa.sendHello("site-1");

      Status status = wrongCa.awaitClosed(Duration.ofSeconds(10));
      assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(fleet.server().registry().size()).isZero();
    }
  }

  @Test
  void withMutualTlsAClientWithoutACertificateIsRefused() throws Exception {
    try (TestFleet fleet = fleet(serverTls().requiringClientCertificates(ca));
        RawPeer anonymous = tlsPeer(fleet, ca, null)) {
      anonymous.sendHello("anonymous");
      assertThat(anonymous.awaitClosed(Duration.ofSeconds(10)).getCode()).isEqualTo(Status.Code.UNAVAILABLE);

      fleet.client(TestFleet.settings(fleet.target(), "site-1")
          .tls(ClientTls.trusting(ca).withClientCertificate(clientCert, dir.resolve("client-key.pem"))).build(),
          FakeClientApp.adding(2, 1));
      RunSummary summary = fleet.run(new FedAvg(), TestModels.small(), ONE_ROUND);

      assertThat(summary.records().get(0).clientsOk()).isEqualTo(1);
      assertThat(fleet.server().registry().clients()).extracting(c -> c.id()).doesNotContain("anonymous");
    }
  }

  @Test
  void plaintextClientOfTheSdkKeepsRetryingAndNeverRegisters() throws Exception {
    try (TestFleet fleet = fleet(serverTls())) {
      FlotillaClient plain = fleet.client(TestFleet.settings(fleet.target(), "plain").build(),
          FakeClientApp.adding(1, 1));
      Thread.sleep(500);
      assertThat(fleet.server().registry().size()).isZero();
      plain.close();
    }
  }
}
