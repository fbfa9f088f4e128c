package dev.flotilla.server.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.server.RoundRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogReaderTest {
  @TempDir Path dir;

  @Test
  void readsBackWhatWasWritten() throws IOException {
    List<RoundRecord> rounds = List.of(
        new RoundRecord(0, 0.1, 2.3, null, null, 0, 0, 3.25, 0, 0),
        new RoundRecord(1, 0.7, 0.9, 0.72, 0.88, 9, 1, 28.5, 23_281_040L, 25_000_000_000L));
    try (MetricsLog log = MetricsLog.create(dir)) {
      log.append(rounds.get(0));
      log.append(rounds.get(1), Map.of("epsilon", 2.5, "dp", true));
    }
    Path file = dir.resolve(MetricsLog.FILE_NAME);

    assertThat(MetricsLogReader.readRecords(file)).isEqualTo(rounds);
    List<Map<String, Object>> rows = MetricsLogReader.read(file);
    assertThat(rows.get(0).keySet())
        .containsExactly("round", "accuracy", "loss", "clients_ok", "clients_failed", "seconds", "bytes_up",
            "bytes_down");
    assertThat(rows.get(1).keySet()).containsSubsequence(MetricsLog.KEYS).contains("epsilon", "dp");
    assertThat(rows.get(1)).containsEntry("round", 1L).containsEntry("bytes_down", 25_000_000_000L)
        .containsEntry("fed_loss", 0.88).containsEntry("epsilon", 2.5).containsEntry("dp", true);
  }

  @Test
  void readsNonFiniteValues() throws IOException {
    Path file = Files.writeString(dir.resolve("m.jsonl"), MetricsLog.toJson(
        new RoundRecord(2, null, Double.NaN, null, Double.NEGATIVE_INFINITY, 1, 0, 1, 0, 0), Map.of()) + "\n");
    RoundRecord back = MetricsLogReader.readRecords(file).get(0);
    assertThat(back.loss()).isNaN();
    assertThat(back.fedLoss()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(back.accuracy()).isNull();
  }

  @Test
  void skipsBlankLinesAndAnUnfinishedLastLine() throws IOException {
    Path file = Files.writeString(dir.resolve("m.jsonl"), "{\"round\":0,\"clients_ok\":0,\"clients_failed\":0,"
        + "\"seconds\":1,\"bytes_up\":0,\"bytes_down\":0}\n\n{\"round\":1,\"clie");
    assertThat(MetricsLogReader.read(file)).hasSize(1);
  }

  @Test
  void namesTheLineThatIsBroken() throws IOException {
    Path file = Files.writeString(dir.resolve("m.jsonl"), "{\"round\":0}\n[1,2]\n{\"round\":2}\n");
    assertThatThrownBy(() -> MetricsLogReader.read(file))
        .isInstanceOf(FlotillaException.class).hasMessageContaining("line 2").hasMessageContaining("[1,2]");
  }

  @Test
  void namesAMissingCounter() throws IOException {
    Path file = Files.writeString(dir.resolve("m.jsonl"), "{\"round\":0,\"seconds\":1.5}\n");
    assertThatThrownBy(() -> MetricsLogReader.readRecords(file))
        .isInstanceOf(FlotillaException.class).hasMessageContaining("'clients_ok'");
  }
}
