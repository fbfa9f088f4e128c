package dev.flotilla.bench.w3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.client.ClientSettings;
import dev.flotilla.client.FlotillaClient;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.server.FlotillaServer;
import dev.flotilla.server.ServerSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Workload W3's correctness check at a small size: 3 clients, 100,000 parameters (400 KB: the model and every result
 * travel in chunks, the results as granted uploads), 6 rounds over loopback gRPC.
 */
@Timeout(60)
class W3ServerTest {
  private static final int CLIENTS = 3;
  private static final int PARAMETERS = 100_000;
  private static final int ROUNDS = 6;

  @Test
  void sixRoundsOfPlusDeltaGiveTheInitialModelPlusSixThousandths() throws Exception {
    ModelWeights initial = W3Model.initial(PARAMETERS);
    List<Thread> threads = new ArrayList<>();
    W3Server.Outcome outcome;
    try (FlotillaServer server = FlotillaServer.start(ServerSettings.builder().host("127.0.0.1").port(0).build())) {
      for (int i = 0; i < CLIENTS; i++) {
        FlotillaClient client = new FlotillaClient(
            ClientSettings.builder("127.0.0.1:" + server.port(), "client-" + i).build(), new PlusDeltaApp(i));
        Thread t = new Thread(() -> {
          try (client) {
            client.run();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }, "w3-client-" + i);
        t.start();
        threads.add(t);
      }
      outcome = W3Server.run(server, initial, CLIENTS, ROUNDS);
    }
    for (Thread t : threads) {
      t.join(10_000);
    }

    assertThat(outcome.maxAbsDeviation()).isLessThan(1e-5);
    assertThat(outcome.correct()).isTrue();
    assertThat(outcome.rows()).hasSize(ROUNDS);
    assertThat(outcome.rows()).extracting(r -> r.get("round")).containsExactly(1, 2, 3, 4, 5, 6);
    for (Map<String, Object> row : outcome.rows()) {
      assertThat(row.get("n_results")).isEqualTo(CLIENTS);
      assertThat(row.get("n_failures")).isEqualTo(0);
      assertThat(row.get("num_examples_total")).isEqualTo(100L + 101 + 102);
      assertThat((double) row.get("round_wall_s")).isPositive();
    }
    assertThat(threads).noneMatch(Thread::isAlive);
  }

  @Test
  void theCheckSeesAWrongOffset() {
    ModelWeights initial = W3Model.initial(8);
    assertThat(W3Model.maxAbsDeviation(initial, initial, 0)).isZero();
    assertThat(W3Model.maxAbsDeviation(initial, initial, 0.006)).isCloseTo(0.006, org.assertj.core.api.Assertions
        .within(1e-9));
    assertThat(W3Model.initial(8).contentEquals(initial)).as("seeded").isTrue();
  }

  @Test
  void theToleranceIsTheWorkloadsForSixRoundsAndGrowsInProportionBeyond() {
    assertThat(W3Model.tolerance(1)).isEqualTo(1e-5);
    assertThat(W3Model.tolerance(6)).isEqualTo(1e-5);
    assertThat(W3Model.tolerance(40)).isCloseTo(40 / 6.0 * 1e-5, org.assertj.core.api.Assertions.within(1e-15));
  }
}
