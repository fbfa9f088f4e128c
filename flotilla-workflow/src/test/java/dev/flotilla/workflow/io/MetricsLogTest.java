package dev.flotilla.workflow.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.message.Metrics;
import dev.flotilla.workflow.RoundRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {
  @TempDir Path dir;

  private static final RoundRecord FULL =
      new RoundRecord(3, 0.8123, 0.5234, 0.8, 0.55, 10, 1, 12.3456789, 23_281_040L, 25_000_000_000L);
  private static final RoundRecord CENTRAL_ONLY =
      new RoundRecord(0, 0.1, 2.3026, null, null, 0, 0, 3.3, 0, 0);

  @Test
  void writesTheStandardKeysInOrder() {
    assertThat(MetricsLog.toJson(FULL, Map.of())).isEqualTo("{\"round\":3,\"accuracy\":0.8123,\"loss\":0.5234,"
        + "\"fed_accuracy\":0.8,\"fed_loss\":0.55,\"clients_ok\":10,\"clients_failed\":1,\"seconds\":12.346,"
        + "\"bytes_up\":23281040,\"bytes_down\":25000000000}");
  }

  @Test
  void leavesOutEvaluationsThatDidNotRun() {
    assertThat(MetricsLog.toJson(CENTRAL_ONLY, Map.of())).isEqualTo("{\"round\":0,\"accuracy\":0.1,\"loss\":2.3026,"
        + "\"clients_ok\":0,\"clients_failed\":0,\"seconds\":3.3,\"bytes_up\":0,\"bytes_down\":0}");
  }

  @Test
  void appendsExtraKeysAfterTheStandardOnes() {
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("epsilon", 1.25);
    extra.put("delta", 1e-5);
    extra.put("strategy", "FedAvg");
    assertThat(MetricsLog.toJson(CENTRAL_ONLY, extra))
        .endsWith(",\"bytes_down\":0,\"epsilon\":1.25,\"delta\":1.0E-5,\"strategy\":\"FedAvg\"}");
  }

  @Test
  void rejectsExtrasThatClashOrCannotBeWritten() {
    assertThatThrownBy(() -> MetricsLog.toJson(FULL, Map.of("loss", 1.0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'loss'");
    assertThatThrownBy(() -> MetricsLog.toJson(FULL, Map.of("clients", List.of(1))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'clients'").hasMessageContaining("[1]");
  }

  @Test
  void writesNonFiniteValuesAsPythonDoes() {
    RoundRecord diverged = new RoundRecord(4, 0.1, Double.NaN, null, Double.POSITIVE_INFINITY, 10, 0, 1, 0, 0);
    assertThat(MetricsLog.toJson(diverged, Map.of())).contains("\"loss\":NaN").contains("\"fed_loss\":Infinity");
  }

  @Test
  void eachLineIsOnDiskAsSoonAsItIsAppended() throws IOException {
    try (MetricsLog log = MetricsLog.create(dir.resolve("out"))) {
      log.append(CENTRAL_ONLY);
      assertThat(Files.readAllLines(dir.resolve("out/metrics.jsonl"))).hasSize(1);
      log.append(FULL, Map.of("epsilon", 0.5));
      List<String> lines = Files.readAllLines(log.file());
      assertThat(lines).hasSize(2);
      assertThat(lines.get(1)).startsWith("{\"round\":3,").endsWith(",\"epsilon\":0.5}");
    }
  }

  @Test
  void createReplacesAnOldLog() throws IOException {
    try (MetricsLog log = MetricsLog.create(dir)) {
      log.append(CENTRAL_ONLY);
      log.append(FULL);
    }
    assertThat(Files.readAllLines(dir.resolve(MetricsLog.FILE_NAME))).hasSize(2);
    try (MetricsLog log = MetricsLog.create(dir)) {
      log.append(FULL);
    }
    assertThat(Files.readAllLines(dir.resolve(MetricsLog.FILE_NAME))).hasSize(1);
  }

  @Test
  void writesTheRecordsNamedMetricsAfterTheStandardKeys() {
    RoundRecord r = new RoundRecord(2, 0.5, 1.0, null, null, 3, 0, 1.5, 10, 20,
        Metrics.of("train_loss", 0.25, "server_lr", 0.1));
    assertThat(MetricsLog.toJson(r, Map.of("epsilon", 1.5))).isEqualTo("{\"round\":2,\"accuracy\":0.5,\"loss\":1.0,"
        + "\"clients_ok\":3,\"clients_failed\":0,\"seconds\":1.5,\"bytes_up\":10,\"bytes_down\":20,"
        + "\"train_loss\":0.25,\"server_lr\":0.1,\"epsilon\":1.5}");
  }

  @Test
  void aNamedMetricMayNotReplaceAStandardKey() {
    RoundRecord r = new RoundRecord(2, 0.5, 1.0, null, null, 3, 0, 1.5, 10, 20, Metrics.of("accuracy", 0.9));
    assertThatThrownBy(() -> MetricsLog.toJson(r, Map.of()))
        .hasMessageContaining("'accuracy' would replace a standard key");
  }
}
