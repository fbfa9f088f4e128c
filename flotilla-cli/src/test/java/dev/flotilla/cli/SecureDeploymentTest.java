package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.djl.data.ClientDataFolder;
import dev.flotilla.djl.data.FashionMnist;
import dev.flotilla.djl.data.LabelledImages;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secure set-up of the README, command by command, on 127.0.0.1: trial certificates, a key per client, an
 * authorized keys file, a TLS server that admits only those keys, and clients that trust the CA and prove their keys.
 */
@Timeout(120)
class SecureDeploymentTest {
  @TempDir
  Path dir;
  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void stopThreads() {
    threads.shutdownNow();
  }

  @Test
  void clientsWithTheirKeysTrainOverTlsAndAStrangerIsRefused() throws Exception {
    Path certs = dir.resolve("certs");
    assertThat(CommandOutput.run("certs", "generate", "--out", certs.toString()).code()).isZero();
    StringBuilder authorized = new StringBuilder("# the sites of this federation\n");
    for (String site : List.of("site-1", "site-2")) {
      assertThat(CommandOutput.run("keys", "generate", "--out", dir.resolve("keys").resolve(site).toString())
          .code()).isZero();
      authorized.append(Files.readString(dir.resolve("keys").resolve(site).resolve("client.pub")));
    }
    assertThat(CommandOutput.run("keys", "generate", "--out", dir.resolve("keys").resolve("stranger").toString())
        .code()).isZero();
    Path authorizedKeys = Files.writeString(dir.resolve("authorized_keys"), authorized);
    LabelledImages train = FashionMnist.train();
    Path data = dir.resolve("data");
    ClientDataFolder.write(data, train.subset(IntStream.range(0, 200).toArray()));
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }

    CompletableFuture<Integer> server = CompletableFuture.supplyAsync(() -> Main.run("server", "--host", "127.0.0.1",
        "--port", String.valueOf(port), "--rounds", "1", "--min-clients", "2", "--model", "mlp",
        "--fraction-evaluate", "0", "--tls-cert", certs.resolve("server.pem").toString(),
        "--tls-key", certs.resolve("server-key.pem").toString(), "--authorized-keys", authorizedKeys.toString(),
        "--handshake-timeout", "5s", "--out", dir.resolve("run").toString()), threads);
    awaitListening(port);
    // the stranger tries first, while the server waits for its two sites, so the run cannot end before it is refused
    CompletableFuture<Integer> stranger = client(port, certs, "stranger", data);
    assertThat(stranger.get(60, TimeUnit.SECONDS)).as("refused: UNAUTHENTICATED").isEqualTo(Main.USAGE_ERROR);
    CompletableFuture<Integer> site1 = client(port, certs, "site-1", data);
    CompletableFuture<Integer> site2 = client(port, certs, "site-2", data);

    assertThat(server.get(100, TimeUnit.SECONDS)).isZero();
    assertThat(site1.get(20, TimeUnit.SECONDS)).isZero();
    assertThat(site2.get(20, TimeUnit.SECONDS)).isZero();
    assertThat(Files.readString(dir.resolve("run").resolve("metrics.jsonl"))).contains("\"clients_ok\":2");
  }

  /** Waits (at most 30 s) until something accepts TCP connections on {@code port} of 127.0.0.1. */
  private static void awaitListening(int port) throws InterruptedException {
    for (int attempt = 0; attempt < 300; attempt++) {
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
        return;
      } catch (java.io.IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new AssertionError("the server did not listen on port " + port + " within 30 s");
  }

  private CompletableFuture<Integer> client(int port, Path certs, String site, Path data) {
    return CompletableFuture.supplyAsync(() -> Main.run("client", "--server-address", "localhost:" + port,
        "--data-dir", data.toString(), "--tls-ca", certs.resolve("ca.pem").toString(),
        "--key-dir", dir.resolve("keys").resolve(site).toString()), threads);
  }
}
