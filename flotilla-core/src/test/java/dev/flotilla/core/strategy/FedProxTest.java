package dev.flotilla.core.strategy;

import static dev.flotilla.core.testing.TrainRounds.result;
import static dev.flotilla.core.testing.TrainRounds.round;
import static dev.flotilla.core.testing.TrainRounds.stream;
import static dev.flotilla.core.testing.TrainRounds.value;
import static dev.flotilla.core.testing.TrainRounds.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.TrainInstructions;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FedProxTest {
  @Test
  void sendsMuWithTheRoundAndTheUserConfig() {
    FedProx prox = new FedProx(FedAvg.Settings.builder()
        .trainConfig(Config.of("lr", 0.05, "proximal_mu", 7.0)).build(), 0.1);
    List<ClientInfo> clients = IntStream.range(0, 3).mapToObj(i -> new ClientInfo("c" + i, Config.empty())).toList();
    List<ClientTask<TrainInstructions>> tasks = prox.configureTrain(round(4), vector(0), clients);
    assertThat(tasks).hasSize(3);
    for (ClientTask<TrainInstructions> t : tasks) {
      Config c = t.instructions().config();
      assertThat(c.getDouble(FedProx.PROXIMAL_MU, -1)).isEqualTo(0.1); // the strategy's μ wins over the config's
      assertThat(c.getDouble("lr", 0)).isEqualTo(0.05);
      assertThat(c.getInt("round", 0)).isEqualTo(4);
    }
  }

  @Test
  void aggregatesAsFedAvg() {
    FedProx prox = new FedProx(FedAvg.Settings.builder().build(), 0.1);
    // (10 × 1 + 30 × 2) / 40 = 1.75; the client with 0 examples does not count
    AggregateResult out = prox.aggregateTrain(round(1), vector(0), stream(
        result("a", vector(1), 10), result("b", vector(2), 30), result("c", vector(100), 0)));
    assertThat(value(out.model().orElseThrow(), 0)).isCloseTo(1.75f, within(1e-6f));
    assertThat(out.metrics().get(StrategyMetrics.RESULTS_USED).getAsDouble()).isEqualTo(2);
  }

  @Test
  void negativeMuIsAnError() {
    assertThatThrownBy(() -> new FedProx(FedAvg.Settings.builder().build(), -0.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("proximalMu").hasMessageContaining("-0.5");
  }
}
