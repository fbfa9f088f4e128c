package dev.flotilla.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.testing.TestModels;
import dev.flotilla.workflow.RoundRecord;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class DashboardServerTest {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A run of 3 clients, 2 rounds finished, c3 timed out in round 2 and then left. */
  private static StubFleet feed(Dashboard dashboard) {
    StubFleet fleet = new StubFleet().connected("c1", "c2", "c3");
    dashboard.runStarted(fleet, "FedAvg, cnn, 3 rounds", 3, 2);
    dashboard.roundStarted(1);
    dashboard.clientResult(1, "train", "c1", 10, 0.9, null);
    dashboard.onRound(new RoundRecord(1, 0.5, 1.5, null, null, 3, 0, 1.5, 3000, 6000, Metrics.of("epsilon", 0.4)),
        TestModels.small());
    dashboard.roundStarted(2);
    dashboard.clientResult(2, "train", "c1", 10, 0.7, null);
    dashboard.clientFailed(2, "train", new ClientFailure("c3", ClientFailure.Kind.TIMEOUT, "no result in 20 s"));
    dashboard.clientFailed(2, "evaluate", new ClientFailure("c2", ClientFailure.Kind.CLIENT_ERROR, "out of memory"));
    dashboard.onRound(new RoundRecord(2, 0.625, 1.0, null, null, 2, 1, 3.0, 2000, 6000, Metrics.of("epsilon", 0.7)),
        TestModels.small());
    fleet.bytesReceived = 5000;
    fleet.bytesSent = 12000;
    fleet.connected("c1", "c2");
    return fleet;
  }

  @Test
  void metricsAreInThePrometheusTextFormatWithTheRunsFiguresAndTheJvms() throws Exception {
    try (Dashboard dashboard = Dashboard.start(DashboardSettings.onLoopback(0))) {
      feed(dashboard);
      HttpResponse<String> response = get(dashboard.url().orElseThrow() + "metrics");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
      PrometheusText metrics = new PrometheusText(response.body());
      assertThat(metrics.value("flotilla_rounds_total")).isEqualTo(2.0);
      assertThat(metrics.value("flotilla_round")).isEqualTo(2.0);
      assertThat(metrics.value("flotilla_round_duration_seconds_count")).isEqualTo(2.0);
      assertThat(metrics.value("flotilla_round_duration_seconds_sum")).isEqualTo(4.5);
      assertThat(metrics.value("flotilla_round_duration_seconds_bucket", "le", "2.5")).isEqualTo(1.0);
      assertThat(metrics.value("flotilla_clients_connected")).isEqualTo(2.0);
      assertThat(metrics.value("flotilla_client_results_total", "phase", "train")).isEqualTo(2.0);
      assertThat(metrics.value("flotilla_client_failures_total", "phase", "train", "kind", "TIMEOUT")).isEqualTo(1.0);
      assertThat(metrics.value("flotilla_client_failures_total", "phase", "evaluate", "kind", "CLIENT_ERROR"))
          .isEqualTo(1.0);
      assertThat(metrics.value("flotilla_received_bytes_total")).isEqualTo(5000.0);
      assertThat(metrics.value("flotilla_sent_bytes_total")).isEqualTo(12000.0);
      assertThat(metrics.value("flotilla_accuracy")).isEqualTo(0.625);
      assertThat(metrics.value("flotilla_loss")).isEqualTo(1.0);
      assertThat(metrics.value("flotilla_privacy_epsilon")).isEqualTo(0.7);
      assertThat(metrics.hasPrefix("jvm_memory_used_bytes")).isTrue();
      assertThat(metrics.hasPrefix("jvm_threads_")).isTrue();
      assertThat(metrics.hasPrefix("jvm_gc_collection_seconds")).isTrue();
    }
  }

  @Test
  void theStateIsJsonAndTheEventStreamPushesItAndThePageAndItsScriptsAreServed() throws Exception {
    try (Dashboard dashboard = Dashboard.start(DashboardSettings.onLoopback(0))) {
      String url = dashboard.url().orElseThrow();
      assertThat(url).startsWith("http://127.0.0.1:");
      feed(dashboard);
      dashboard.state().refreshConnections();

      JsonObject state = JsonParser.parseString(get(url + "api/state").body()).getAsJsonObject();
      assertThat(state.get("title").getAsString()).isEqualTo("FedAvg, cnn, 3 rounds");
      assertThat(state.get("status").getAsString()).isEqualTo("running");
      assertThat(state.getAsJsonArray("records")).hasSize(2);
      assertThat(state.get("connected").getAsInt()).isEqualTo(2);
      assertThat(state.getAsJsonArray("failures")).hasSize(2);

      HttpResponse<InputStream> events = http.send(HttpRequest.newBuilder(URI.create(url + "api/events"))
          .header("Accept", "text/event-stream").build(),
          HttpResponse.BodyHandlers.ofInputStream());
      assertThat(events.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(events.body(), StandardCharsets.UTF_8))) {
        String event = null;
        String data = null;
        for (String line = reader.readLine(); line != null && data == null; line = reader.readLine()) {
          if (line.startsWith("event:")) {
            event = line.substring(6).trim();
          } else if (line.startsWith("data:")) {
            data = line.substring(5).trim();
          }
        }
        assertThat(event).isEqualTo("state");
        JsonObject pushed = JsonParser.parseString(data).getAsJsonObject();
        assertThat(pushed.getAsJsonArray("records")).hasSize(2);
        // a change is pushed: the run ends
        dashboard.runFinished(java.util.Optional.empty());
        String next = null;
        for (String line = reader.readLine(); line != null && next == null; line = reader.readLine()) {
          if (line.startsWith("data:") && line.contains("\"status\":\"finished\"")) {
            next = line;
          }
        }
        assertThat(next).isNotNull();
      }

      HttpResponse<String> page = get(url);
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("id=\"quality-chart\"", "src=\"chart.umd.js\"", "src=\"dashboard.js\"");
      HttpResponse<String> chartJs = get(url + "chart.umd.js");
      assertThat(chartJs.statusCode()).isEqualTo(200);
      assertThat(chartJs.body()).contains("Chart.js");
      assertThat(get(url + "dashboard.js").body()).contains("EventSource");
      assertThat(get(url + "no-such-page").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void aResumedRunsStateAndMetricsShowTheRoundsBeforeTheResume() throws Exception {
    try (Dashboard dashboard = Dashboard.start(DashboardSettings.onLoopback(0))) {
      StubFleet fleet = new StubFleet().connected("c1", "c2");
      List<RoundRecord> earlier = List.of(
          new RoundRecord(0, 0.1, 2.3, null, null, 0, 0, 0.5, 0, 0, Metrics.empty()),
          new RoundRecord(1, 0.5, 1.5, null, null, 2, 0, 1.5, 3000, 6000, Metrics.of("epsilon", 0.4)),
          new RoundRecord(2, 0.625, 1.0, null, null, 2, 0, 3.0, 2000, 6000, Metrics.of("epsilon", 0.7)));
      dashboard.runStarted(fleet, "FedAvg, cnn, 4 rounds", 4, 2, earlier);
      String url = dashboard.url().orElseThrow();

      JsonObject state = JsonParser.parseString(get(url + "api/state").body()).getAsJsonObject();
      assertThat(state.get("resumedAfter").getAsInt()).isEqualTo(2);
      assertThat(state.get("round").getAsInt()).isEqualTo(2);
      assertThat(state.getAsJsonArray("records")).extracting(r -> r.getAsJsonObject().get("round").getAsInt())
          .containsExactly(0, 1, 2);
      assertThat(state.getAsJsonArray("records").get(2).getAsJsonObject().get("accuracy").getAsDouble())
          .isEqualTo(0.625);
      assertThat(state.get("bytesUp").getAsLong()).as("the earlier rounds' bytes").isEqualTo(5000);
      assertThat(state.get("bytesDown").getAsLong()).isEqualTo(12000);
      PrometheusText metrics = new PrometheusText(get(url + "metrics").body());
      assertThat(metrics.value("flotilla_round")).isEqualTo(2.0);
      assertThat(metrics.value("flotilla_accuracy")).isEqualTo(0.625);
      assertThat(metrics.value("flotilla_privacy_epsilon")).isEqualTo(0.7);
      assertThat(metrics.value("flotilla_rounds_total")).as("rounds this process ran").isEqualTo(0.0);

      dashboard.roundStarted(3);
      dashboard.onRound(new RoundRecord(3, 0.75, 0.8, null, null, 2, 0, 2.0, 2000, 6000, Metrics.of("epsilon", 0.9)),
          TestModels.small());
      state = JsonParser.parseString(get(url + "api/state").body()).getAsJsonObject();
      assertThat(state.getAsJsonArray("records")).extracting(r -> r.getAsJsonObject().get("round").getAsInt())
          .containsExactly(0, 1, 2, 3);
      assertThat(state.get("resumedAfter").getAsInt()).isEqualTo(2);
      fleet.bytesReceived = 2000;
      assertThat(dashboard.state().view().bytesUp()).as("earlier rounds' and this process's").isEqualTo(7000);
      assertThat(get(url).body()).contains("id=\"rounds\"", "id=\"resumed\"");
    }
  }

  @Test
  void aNewRunHasNoResumePoint() throws Exception {
    try (Dashboard dashboard = Dashboard.start(DashboardSettings.onLoopback(0))) {
      feed(dashboard);
      JsonObject state = JsonParser.parseString(get(dashboard.url().orElseThrow() + "api/state").body())
          .getAsJsonObject();
      assertThat(state.get("resumedAfter").isJsonNull()).isTrue();
    }
  }

  @Test
  void aPortInUseIsAClearError() {
    try (Dashboard first = Dashboard.start(DashboardSettings.onLoopback(0))) {
      int port = Integer.parseInt(first.url().orElseThrow().replaceAll(".*:(\\d+)/$", "$1"));
      assertThatThrownBy(() -> Dashboard.start(DashboardSettings.onLoopback(port)))
          .isInstanceOf(FlotillaException.class)
          .hasMessageContaining("cannot serve the dashboard on 127.0.0.1:" + port);
    }
  }

  @Test
  void settingsNameABadPort() {
    assertThatThrownBy(() -> new DashboardSettings("127.0.0.1", 70000))
        .hasMessage("the dashboard port must be in 0..65535, got 70000");
  }
}
