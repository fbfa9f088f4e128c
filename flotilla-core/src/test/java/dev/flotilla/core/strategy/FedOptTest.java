package dev.flotilla.core.strategy;

import static dev.flotilla.core.testing.TrainRounds.result;
import static dev.flotilla.core.testing.TrainRounds.round;
import static dev.flotilla.core.testing.TrainRounds.stream;
import static dev.flotilla.core.testing.TrainRounds.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.tensor.ModelWeights;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FedOptTest {
  private static final FedAvg.Settings BASE = FedAvg.Settings.builder().build();

  @Test
  void stateHoldsBothMomentsAndTheStepCount() {
    FedAdam adam = new FedAdam(BASE);
    assertThat(adam.state().isEmpty()).isTrue();
    adam.aggregateTrain(round(1), vector(1, 1), stream(result("a", vector(2, 3), 1)));
    StrategyState state = adam.state();
    assertThat(state.arrays().names()).containsExactly("m/x", "v/x");
    // m = 0.1 Δ, v = 0.01 Δ² for Δ = (1, 2)
    assertThat(state.arrays().get("m/x").toArray()).containsExactly(0.1f, 0.2f);
    assertThat(state.arrays().get("v/x").toArray()).containsExactly(0.01f, 0.04f);
    assertThat(state.scalars().getLong("step", -1)).isEqualTo(1);
    assertThat(state.scalars().getString("strategy", "")).isEqualTo("fedadam");
  }

  @Test
  void refusesTheStateOfAnotherAlgorithmOrAnIncompleteOne() {
    FedAdam adam = new FedAdam(BASE);
    adam.aggregateTrain(round(1), vector(1), stream(result("a", vector(2), 1)));
    StrategyState state = adam.state();

    assertThatThrownBy(() -> new FedYogi(BASE).restore(state))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("fedyogi cannot restore a state saved by fedadam");
    StrategyState onlyM = new StrategyState(state.scalars(), state.arrays().filter(n -> n.startsWith("m/")));
    assertThatThrownBy(() -> new FedAdam(BASE).restore(onlyM))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'v/…'");
    List<dev.flotilla.core.tensor.Tensor> extra = new ArrayList<>(state.arrays().tensors());
    extra.add(vector(0).get(0).renamed("junk"));
    assertThatThrownBy(() -> new FedAdam(BASE).restore(new StrategyState(state.scalars(), ModelWeights.of(extra))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("junk");
    assertThatThrownBy(() -> new FedAdam(BASE).restore(new StrategyState(Config.of("strategy", "fedadam"),
        state.arrays()))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("step");
  }

  @Test
  void emptyStateStartsAgainFromZero() {
    FedAdam once = new FedAdam(BASE);
    FedAdam twice = new FedAdam(BASE);
    twice.aggregateTrain(round(1), vector(1), stream(result("a", vector(5), 1)));
    twice.restore(StrategyState.empty());
    ModelWeights a = once.aggregateTrain(round(1), vector(1), stream(result("a", vector(2), 1))).model().get();
    ModelWeights b = twice.aggregateTrain(round(1), vector(1), stream(result("a", vector(2), 1))).model().get();
    assertThat(a.contentEquals(b)).isTrue();
  }

  @Test
  void hyperparametersNameTheBadValue() {
    assertThatThrownBy(() -> new FedOpt.Hyperparameters(-1, 0.9, 0.99, 1e-9)).hasMessage(
        "serverLr must be positive and finite, got -1.0");
    assertThatThrownBy(() -> new FedOpt.Hyperparameters(0.1, 1, 0.99, 1e-9)).hasMessage(
        "beta1 must be in [0, 1), got 1.0");
    assertThatThrownBy(() -> new FedOpt.Hyperparameters(0.1, 0.9, -0.1, 1e-9)).hasMessage(
        "beta2 must be in [0, 1), got -0.1");
    assertThatThrownBy(() -> new FedOpt.Hyperparameters(0.1, 0.9, 0.99, 0)).hasMessage(
        "tau must be positive and finite, got 0.0");
  }
}
