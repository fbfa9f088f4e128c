package dev.flotilla.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.client.ClientSettings;
import dev.flotilla.client.FlotillaClient;
import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.testing.FakeClientApp;
import dev.flotilla.core.testing.TestModels;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.transport.security.AuthorizedKeys;
import dev.flotilla.transport.security.ChannelBinding;
import dev.flotilla.transport.security.ClientKey;
import dev.flotilla.transport.security.ClientTls;
import dev.flotilla.transport.security.ServerTls;
import dev.flotilla.transport.security.TestPki;
import dev.flotilla.workflow.RoundRecord;
import dev.flotilla.workflow.RunSummary;
import dev.flotilla.workflow.SyncSettings;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that prove their keys, over TLS on 127.0.0.1: the server admits only the keys of its authorized keys, a
 * signature is good for one connection only, and nobody can take over an authorised client's id.
 */
@Timeout(30)
class ClientAuthenticationTest {
  private static final ClientKey SITE_1 = ClientKey.generate("site-1");
  private static final ClientKey SITE_2 = ClientKey.generate("site-2");

  @TempDir
  Path dir;
  private Path ca;
  private byte[] binding;

  @BeforeEach
  void pki() {
    TestPki.Issued authority = TestPki.ca("flotilla test CA");
    ca = authority.write(dir, "ca");
    TestPki.Issued server = TestPki.server(authority);
    server.write(dir, "server");
    binding = ChannelBinding.ofServerCertificate(server.certificate());
  }

  /** A TLS server that admits site-1 and site-2. */
  private TestFleet fleet() {
    ServerSecurity security = ServerSecurity.plaintext()
        .withTls(ServerTls.of(dir.resolve("server.pem"), dir.resolve("server-key.pem")))
        .withAuthorizedKeys(AuthorizedKeys.of(List.of(SITE_1.authorizedKey(), SITE_2.authorizedKey())));
    return TestFleet.start(s -> s.security(security));
  }

  private ClientSettings.Builder settings(TestFleet fleet, String id) {
    return TestFleet.settings(fleet.target(), id).tls(ClientTls.trusting(ca));
  }

  private RawPeer peer(TestFleet fleet) {
    return new RawPeer(NettyChannelBuilder.forAddress("127.0.0.1", fleet.server().port())
        .sslContext(ClientTls.trusting(ca).sslContext()).build(), true);
  }

  /** Says hello as {@code id} and returns the server's challenge. */
  private static byte[] challenge(RawPeer peer, String id) throws InterruptedException {
    peer.sendHello(id);
    Frame f = peer.nextFrame();
    assertThat(f.hasAuthChallenge()).as("a challenge, got %s", f.getKindCase()).isTrue();
    return f.getAuthChallenge().getNonce().toByteArray();
  }

  private static CompletableFuture<Void> runAsync(FlotillaClient client) {
    return CompletableFuture.runAsync(() -> {
      try {
        client.run();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @Test
  void authorisedClientTrainsNormally() throws Exception {
    try (TestFleet fleet = fleet()) {
      fleet.client(settings(fleet, "site-1").key(SITE_1).build(), FakeClientApp.adding(1, 1));

      RunSummary summary = fleet.run(new FedAvg(), TestModels.small(), TlsTest.ONE_ROUND);

      assertThat(summary.records().get(0).clientsOk()).isEqualTo(1);
      assertThat(summary.finalModel().contentEquals(TestModels.plus(TestModels.small(), 1))).isTrue();
    }
  }

  @Test
  void unknownKeyIsRefusedWithoutSayingWhy() throws Exception {
    ClientKey stranger = ClientKey.generate("site-3");
    try (TestFleet fleet = fleet(); RawPeer raw = peer(fleet);
        FlotillaClient client = new FlotillaClient(settings(fleet, "site-3").key(stranger).build(),
            FakeClientApp.adding(1, 1))) {
      assertThatThrownBy(() -> runAsync(client).get(10, TimeUnit.SECONDS))
          .hasRootCauseInstanceOf(FlotillaException.class).hasMessageContaining("UNAUTHENTICATED");

      byte[] nonce = challenge(raw, "site-1");
      raw.sendAuthResponse(stranger.sign(nonce, binding)); // a valid signature, by a key that is not site-1's
      Status status = raw.awaitClosed(Duration.ofSeconds(5));
      assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(status.getDescription()).isEqualTo("authentication failed");
      assertThat(fleet.server().registry().size()).isZero();
    }
  }

  @Test
  void clientWithoutAKeyIsToldToMakeOne() throws Exception {
    try (TestFleet fleet = fleet();
        FlotillaClient client = new FlotillaClient(settings(fleet, "site-1").build(), FakeClientApp.adding(1, 1))) {
      assertThatThrownBy(() -> runAsync(client).get(10, TimeUnit.SECONDS))
          .hasMessageContaining("UNAUTHENTICATED").hasMessageContaining("flotilla keys generate");
    }
  }

  @Test
  void replayedAuthenticationIsRefused() throws Exception {
    try (TestFleet fleet = fleet(); RawPeer first = peer(fleet); RawPeer replay = peer(fleet)) {
      byte[] signature = SITE_1.sign(challenge(first, "site-1"), binding);
      first.sendAuthResponse(signature);
      assertThat(first.nextFrame().hasWelcome()).isTrue();

      challenge(replay, "site-1");
      replay.sendAuthResponse(signature); // the answer to the first connection's challenge

      assertThat(replay.awaitClosed(Duration.ofSeconds(5)).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(first.closed).as("the real connection stays").isNotDone();
      assertThat(fleet.server().registry().clients()).extracting(c -> c.id()).containsExactly("site-1");
    }
  }

  @Test
  void signatureForAnotherServerCertificateIsRefused() throws Exception {
    byte[] otherServer = ChannelBinding.ofServerCertificate(
        TestPki.server(TestPki.ca("relay CA")).certificate());
    try (TestFleet fleet = fleet(); RawPeer relayed = peer(fleet)) {
      relayed.sendAuthResponse(SITE_1.sign(challenge(relayed, "site-1"), otherServer));
      assertThat(relayed.awaitClosed(Duration.ofSeconds(5)).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    }
  }

  @Test
  void answerBeforeTheHelloBreaksTheProtocol() throws Exception {
    try (TestFleet fleet = fleet(); RawPeer early = peer(fleet)) {
      early.sendAuthResponse(new byte[64]);
      Status status = early.awaitClosed(Duration.ofSeconds(5));
      assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription()).contains("first frame must be a hello");
    }
  }

  @Test
  void anotherPeerClaimingAnAuthorisedIdIsRefusedWhileTheRealOneKeepsTraining() throws Exception {
    ClientKey thief = ClientKey.generate("site-1"); // same id, its own key
    try (TestFleet fleet = fleet()) {
      fleet.client(settings(fleet, "site-1").key(SITE_1).build(), FakeClientApp.adding(1, 1));
      assertThat(fleet.server().registry().awaitClients(1, Duration.ofSeconds(10))).isTrue();
      CompletableFuture<Integer> thefts = CompletableFuture.supplyAsync(() -> {
        int refused = 0;
        for (int i = 0; i < 5; i++) {
          try (RawPeer p = peer(fleet)) {
            p.sendAuthResponse(thief.sign(challenge(p, "site-1"), binding));
            if (p.awaitClosed(Duration.ofSeconds(5)).getCode() == Status.Code.UNAUTHENTICATED) {
              refused++;
            }
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
        return refused;
      });

      RunSummary summary = fleet.run(new FedAvg(), TestModels.small(), SyncSettings.builder().rounds(3)
          .minClients(1).minFitClients(1).roundTimeout(Duration.ofSeconds(10)).evaluateInitial(false).build());

      assertThat(thefts.get(20, TimeUnit.SECONDS)).isEqualTo(5);
      assertThat(summary.records()).extracting(RoundRecord::clientsOk).containsExactly(1, 1, 1);
      assertThat(summary.records()).extracting(RoundRecord::clientsFailed).containsExactly(0, 0, 0);
      assertThat(summary.finalModel().contentEquals(TestModels.plus(TestModels.small(), 3))).isTrue();
    }
  }

  @Test
  void aNewConnectionThatProvesTheKeyReplacesTheOldOne() throws Exception {
    try (TestFleet fleet = fleet(); RawPeer old = peer(fleet); RawPeer reconnected = peer(fleet)) {
      old.sendAuthResponse(SITE_1.sign(challenge(old, "site-1"), binding));
      assertThat(old.nextFrame().hasWelcome()).isTrue();

      reconnected.sendAuthResponse(SITE_1.sign(challenge(reconnected, "site-1"), binding));
      assertThat(reconnected.nextFrame().hasWelcome()).isTrue();

      assertThat(old.awaitClosed(Duration.ofSeconds(5)).getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
      assertThat(fleet.server().registry().clients()).extracting(c -> c.id()).containsExactly("site-1");
    }
  }

  @Test
  void handshakeThatNeverAnswersTheChallengeTimesOut() throws Exception {
    ServerSecurity security = ServerSecurity.plaintext()
        .withAuthorizedKeys(AuthorizedKeys.of(List.of(SITE_1.authorizedKey())));
    try (TestFleet fleet = TestFleet.start(s -> s.security(security)
        .limits(ConnectionLimits.defaults().withHandshakeTimeout(Duration.ofMillis(300))));
        RawPeer silent = new RawPeer(fleet.server().port())) {
      challenge(silent, "site-1");

      Status status = silent.awaitClosed(Duration.ofSeconds(5));
      assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
      assertThat(status.getDescription()).contains("handshake did not complete within 0.3 s");
    }
  }
}
