package dev.flotilla.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.workflow.RoundRecord;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {
  @Test
  void theBarShowsTheShareOfTasksDoneAndTheTimeLeft() {
    assertThat(ConsoleProgress.render(0, 200, 0, 10, 0)).startsWith("[" + ".".repeat(30) + "]   0%  0/200 tasks")
        .endsWith("0m00s elapsed, ? left");
    assertThat(ConsoleProgress.render(100, 200, 5, 10, 62)).startsWith("[" + "#".repeat(15) + ".".repeat(15) + "]")
        .contains(" 50%  100/200 tasks  round 5/10  1m02s elapsed, 1m02s left");
    assertThat(ConsoleProgress.render(200, 200, 10, 10, 4000)).contains("100%", "1h06m elapsed, 0m00s left");
  }

  @Test
  void roundLinesGoToTheirStreamAndTheBarIsClearedAroundThem() {
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    ByteArrayOutputStream bar = new ByteArrayOutputStream();
    ConsoleProgress progress = new ConsoleProgress(new PrintStream(lines, true, StandardCharsets.UTF_8),
        new PrintStream(bar, true, StandardCharsets.UTF_8));
    progress.started(4, 2);
    progress.taskDone();
    progress.roundDone(new RoundRecord(1, 0.5, 1.25, null, null, 2, 0, 3.0, 10, 10));
    progress.finished();

    assertThat(lines.toString(StandardCharsets.UTF_8))
        .isEqualTo("round 1/2  accuracy 0.5000  loss 1.2500  clients 2 ok 0 failed  3.0 s" + System.lineSeparator());
    String drawn = bar.toString(StandardCharsets.UTF_8);
    assertThat(drawn).startsWith("\r[").contains("0/4 tasks", "\r" + " ".repeat(10)).contains("round 1/2")
        .endsWith(System.lineSeparator());
  }

  @Test
  void withoutABarOnlyTheLinesArePrinted() {
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    ConsoleProgress progress = new ConsoleProgress(new PrintStream(lines, true, StandardCharsets.UTF_8), null);
    progress.started(1, 1);
    progress.taskDone();
    progress.roundDone(new RoundRecord(0, null, null, null, null, 0, 0, 0.1, 0, 0));
    progress.finished();
    assertThat(lines.toString(StandardCharsets.UTF_8)).isEqualTo("round 0/1  clients 0 ok 0 failed  0.1 s"
        + System.lineSeparator());
  }
}
