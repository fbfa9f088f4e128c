package dev.flotilla.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a resume must match: asynchronous settings compared by value, differences named. */
class RunSpecTest {
  private static RunSpec async(String options) {
    return new RunSpec("fedavg", "mlp", 4, 7, "async " + options, RunSpec.SIMULATION, "--clients=6");
  }

  @Test
  void asynchronousSettingsWrittenDifferentlyButEqualInValueMatch() {
    // as an earlier build, or a hand-made store, may have written them: equal values, other text
    RunSpec stored = async("--buffer 2 --concurrency 3 --staleness polynomial:0.50 --max-staleness 10");
    assertThat(stored.mismatch(async("--buffer 2 --concurrency 3 --staleness polynomial:0.5 --max-staleness 10")))
        .isEmpty();
    assertThat(async("--buffer 2 --concurrency 3 --staleness polynomial:0 --max-staleness 10")
        .mismatch(async("--buffer 2 --concurrency 3 --staleness constant --max-staleness 10"))).isEmpty();
    assertThat(async("--buffer 2.0 --concurrency 3 --staleness hinge:1:2 --max-staleness 10")
        .mismatch(async("--buffer 2 --concurrency 3 --staleness hinge:1.0:2.0 --max-staleness 10"))).isEmpty();
  }

  @Test
  void asynchronousSettingsThatDifferInValueAreNamed() {
    RunSpec stored = async("--buffer 2 --concurrency 3 --staleness polynomial:0.5 --max-staleness 10");
    assertThat(stored.mismatch(async("--buffer 2 --concurrency 3 --staleness polynomial:0.6 --max-staleness 10")))
        .hasValue("--staleness polynomial:0.5, not --staleness polynomial:0.6");
    assertThat(stored.mismatch(async("--buffer 3 --concurrency 3 --staleness polynomial:0.5 --max-staleness 10")))
        .hasValue("--buffer 2, not --buffer 3");
    assertThat(stored.mismatch(new RunSpec("fedavg", "mlp", 4, 7, RunSpec.SIMULATION, "--clients=6")))
        .hasValue("--workflow async --buffer 2 --concurrency 3 --staleness polynomial:0.5 --max-staleness 10, not the"
            + " synchronous workflow");
    assertThat(new RunSpec("fedavg", "mlp", 4, 7, RunSpec.SIMULATION, "--clients=6").mismatch(stored))
        .hasValue("the synchronous workflow, not --workflow async");
  }
}
