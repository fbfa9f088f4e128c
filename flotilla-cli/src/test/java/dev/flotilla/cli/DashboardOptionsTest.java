package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.partition.Partitioners;
import dev.flotilla.dashboard.Dashboard;
import dev.flotilla.dashboard.DashboardSettings;
import dev.flotilla.djl.data.FashionMnist;
import dev.flotilla.sim.SimulationProgress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The dashboard of {@code simulate} and its command-line options. */
class DashboardOptionsTest {
  @Test
  void aSimulationIsShownOnTheDashboardWithItsVirtualClientsAndMetrics() throws Exception {
    SimulationSettings settings = SimulationSettings.builder().model("mlp").clients(8, 4).rounds(2).seed(3)
        .partitioner(Partitioners.parse("iid")).trainConfig(Config.of("lr", 0.05)).workers(2).build();
    try (Dashboard dashboard = Dashboard.start(DashboardSettings.onLoopback(0))) {
      SimulationResult result = Simulation.run(settings, FashionMnist.train().first(800),
          FashionMnist.test().first(200), SimulationProgress.silent(), dashboard);
      HttpClient http = HttpClient.newHttpClient();
      String url = dashboard.url().orElseThrow();
      JsonObject state = JsonParser.parseString(http.send(HttpRequest.newBuilder(URI.create(url + "api/state")).build(),
          HttpResponse.BodyHandlers.ofString()).body()).getAsJsonObject();
      assertThat(state.get("status").getAsString()).isEqualTo("finished");
      assertThat(state.get("title").getAsString()).contains("8 clients (4 per round)");
      assertThat(state.getAsJsonArray("records")).hasSize(3); // rounds 0, 1, 2
      assertThat(state.getAsJsonArray("records").get(2).getAsJsonObject().get("accuracy").getAsDouble())
          .isEqualTo(result.records().get(2).accuracy());
      assertThat(state.get("clientsSeen").getAsInt()).isEqualTo(8);
      assertThat(state.get("connected").getAsInt()).isEqualTo(8);
      long trained = state.getAsJsonArray("clients").asList().stream()
          .filter(c -> "ok".equals(c.getAsJsonObject().get("outcome").isJsonNull() ? null
              : c.getAsJsonObject().get("outcome").getAsString())).count();
      assertThat(trained).isBetween(4L, 8L);
      String metrics = http.send(HttpRequest.newBuilder(URI.create(url + "metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metrics).contains("flotilla_rounds_total 2.0", "flotilla_client_results_total{phase=\"train\"} 8.0",
          "flotilla_clients_connected 8.0");
    }
  }

  @Test
  void simulatePrintsTheDashboardsAddress() {
    String[] output = SimulateCommandTest.capture("simulate", "--clients", "4", "--clients-per-round", "2",
        "--rounds", "1", "--model", "mlp", "--train-examples", "400", "--test-examples", "100", "--progress", "never",
        "--dashboard-port", "0");
    assertThat(output[0]).as(output[1]).isEqualTo("0");
    assertThat(output[1]).containsPattern("dashboard at http://127\\.0\\.0\\.1:\\d+/ \\(Prometheus metrics at"
        + " http://127\\.0\\.0\\.1:\\d+/metrics\\)");
  }

  @Test
  void aHostWithoutAPortIsAnError() {
    String[] output = SimulateCommandTest.capture("simulate", "--clients", "4", "--clients-per-round", "2",
        "--rounds", "1", "--model", "mlp", "--train-examples", "400", "--test-examples", "0", "--progress", "never",
        "--dashboard-host", "0.0.0.0");
    assertThat(output[0]).isNotEqualTo("0");
    assertThat(output[1]).contains("--dashboard-host needs --dashboard-port");
  }
}
