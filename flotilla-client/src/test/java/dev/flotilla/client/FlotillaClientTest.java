package dev.flotilla.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.testing.FakeClientApp;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class FlotillaClientTest {
  private static int unusedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void closeStopsAClientThatIsStillTryingToConnect() throws Exception {
    ClientSettings settings = ClientSettings.builder("127.0.0.1:" + unusedPort(), "lonely")
        .reconnect(Duration.ofMillis(20), Duration.ofMillis(100)).build();
    FlotillaClient client = new FlotillaClient(settings, FakeClientApp.adding(1, 1));
    CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
      try {
        client.run();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    Thread.sleep(300);
    assertThat(run).isNotDone();

    client.close();

    run.get(5, TimeUnit.SECONDS);
    assertThatThrownBy(client::run).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void settingsNameTheBadValue() {
    assertThatThrownBy(() -> ClientSettings.builder("", "x").build()).hasMessageContaining("host:port");
    assertThatThrownBy(() -> ClientSettings.builder("h:1", "").build()).hasMessageContaining("clientId");
    assertThatThrownBy(() -> ClientSettings.builder("h:1", "x").chunkBytes(0).build()).hasMessageContaining("got 0");
    assertThatThrownBy(() -> ClientSettings.builder("h:1", "x").flowControlWindowBytes(1000).build())
        .hasMessageContaining("flow-control window").hasMessageContaining("got 1000");
    assertThatThrownBy(() -> ClientSettings.builder("h:1", "x")
        .reconnect(Duration.ofSeconds(2), Duration.ofSeconds(1)).build()).hasMessageContaining("reconnectMax");
  }
}
