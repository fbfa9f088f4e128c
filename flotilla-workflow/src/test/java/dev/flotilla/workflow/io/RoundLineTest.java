package dev.flotilla.workflow.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.workflow.RoundRecord;
import org.junit.jupiter.api.Test;

class RoundLineTest {
  @Test
  void formatsCentralEvaluation() {
    RoundRecord record = new RoundRecord(3, 0.81234, 0.52341, null, null, 10, 0, 12.34, 1, 2);
    assertThat(RoundLine.format(record, 10))
        .isEqualTo("round  3/10  accuracy 0.8123  loss 0.5234  clients 10 ok 0 failed  12.3 s");
  }

  @Test
  void alignsRoundNumbersToTheTotal() {
    RoundRecord record = new RoundRecord(7, null, null, null, null, 5, 2, 0.04, 0, 0);
    assertThat(RoundLine.format(record, 100)).isEqualTo("round   7/100  clients 5 ok 2 failed  0.0 s");
    assertThat(RoundLine.format(record, 0)).isEqualTo("round 7  clients 5 ok 2 failed  0.0 s");
  }

  @Test
  void showsFederatedEvaluationWhenItRan() {
    RoundRecord record = new RoundRecord(10, 0.9, 0.3, 0.88, 0.35, 8, 2, 61.25, 0, 0);
    assertThat(RoundLine.format(record, 10)).isEqualTo(
        "round 10/10  accuracy 0.9000  loss 0.3000  fed accuracy 0.8800  fed loss 0.3500  clients 8 ok 2 failed"
            + "  61.3 s");
  }
}
