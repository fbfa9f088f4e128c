package dev.flotilla.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StrategiesTest {
  private static final FedAvg.Settings BASE = FedAvg.Settings.builder().build();
  private static final StrategyOptions DEFAULTS = StrategyOptions.defaults();

  @Test
  void namesInAStableOrder() {
    assertThat(Strategies.names()).containsExactly("fedavg", "fedavgm", "fedprox", "fedadagrad", "fedadam",
        "fedyogi", "qfedavg", "fedmedian", "trimmed-mean", "krum", "multi-krum", "bulyan");
  }

  @Test
  void unsetOptionsTakeEachAlgorithmsFlowerDefaults() {
    FedOpt.Hyperparameters adagrad = ((FedAdagrad) Strategies.create("fedadagrad", DEFAULTS, BASE)).hyperparameters();
    assertThat(adagrad.serverLr()).isEqualTo(0.1);
    assertThat(adagrad.beta1()).isEqualTo(0.0); // β₂ is unused by Adagrad
    assertThat(adagrad.tau()).isEqualTo(1e-9);
    assertThat(((FedAdam) Strategies.create("fedadam", DEFAULTS, BASE)).hyperparameters())
        .isEqualTo(FedAdam.DEFAULTS);
    assertThat(((FedYogi) Strategies.create("fedyogi", DEFAULTS, BASE)).hyperparameters())
        .isEqualTo(FedYogi.DEFAULTS);
    FedAvgM avgm = (FedAvgM) Strategies.create("fedavgm", DEFAULTS, BASE);
    assertThat(avgm.serverLr()).isEqualTo(1.0);
    assertThat(avgm.momentum()).isEqualTo(0.0);
  }

  @Test
  void setOptionsReachTheStrategy() {
    StrategyOptions o = StrategyOptions.builder().serverLr(0.5).tau(1e-3).proximalMu(0.2).q(1).qLipschitz(4)
        .trimBeta(0.1).byzantineF(2).multiKrumM(3).serverMomentum(0.9).beta1(0.8).beta2(0.9).build();
    assertThat(((FedAdam) Strategies.create("fedadam", o, BASE)).hyperparameters())
        .isEqualTo(new FedOpt.Hyperparameters(0.5, 0.8, 0.9, 1e-3));
    FedAvgM avgm = (FedAvgM) Strategies.create("fedavgm", o, BASE);
    assertThat(avgm.serverLr()).isEqualTo(0.5);
    assertThat(avgm.momentum()).isEqualTo(0.9);
    assertThat(((FedProx) Strategies.create("fedprox", o, BASE)).proximalMu()).isEqualTo(0.2);
    QFedAvg qffl = (QFedAvg) Strategies.create("qfedavg", o, BASE);
    assertThat(qffl.q()).isEqualTo(1);
    assertThat(qffl.lipschitz()).isEqualTo(4);
    assertThat(((TrimmedMean) Strategies.create("trimmed-mean", o, BASE)).beta()).isEqualTo(0.1);
    Krum krum = (Krum) Strategies.create("krum", o, BASE);
    assertThat(krum.byzantine()).isEqualTo(2);
    assertThat(krum.keep()).isEqualTo(1);
    assertThat(((Krum) Strategies.create("multi-krum", o, BASE)).keep()).isEqualTo(3);
    assertThat(((Bulyan) Strategies.create("bulyan", o, BASE)).byzantine()).isEqualTo(2);
    assertThat(Strategies.create("fedmedian", o, BASE)).isInstanceOf(FedMedian.class);
    assertThat(Strategies.create("fedavg", o, BASE).getClass()).isEqualTo(FedAvg.class);
  }

  @Test
  void namesIgnoreCaseAndSpaces() {
    assertThat(Strategies.create(" FedAdam ", DEFAULTS, BASE)).isInstanceOf(FedAdam.class);
    Strategies.validate("TRIMMED-MEAN", DEFAULTS, 5);
  }

  @Test
  void unknownNameListsTheKnownOnes() {
    String expected = "unknown strategy 'fedsgd'; choose one of fedavg, fedavgm, fedprox, fedadagrad, fedadam, "
        + "fedyogi, qfedavg, fedmedian, trimmed-mean, krum, multi-krum, bulyan";
    assertThatThrownBy(() -> Strategies.create("fedsgd", DEFAULTS, BASE)).hasMessage(expected);
    assertThatThrownBy(() -> Strategies.validate("fedsgd", DEFAULTS, 10)).hasMessage(expected);
  }

  @Test
  void validationNamesTheBoundThatFails() {
    StrategyOptions f1 = StrategyOptions.builder().byzantineF(1).build();
    assertThatThrownBy(() -> Strategies.validate("krum", f1, 4)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("krum with 4 clients per round: Krum needs more than 2f + 2 = 4 results per round for f = 1, "
            + "got 4");
    Strategies.validate("krum", f1, 5);
    assertThatThrownBy(() -> Strategies.validate("multi-krum", f1, 4)).hasMessageStartingWith("multi-krum with 4");
    assertThatThrownBy(() -> Strategies.validate("bulyan", f1, 6))
        .hasMessage("bulyan with 6 clients per round: Bulyan needs at least 4f + 3 = 7 results per round for f = 1, "
            + "got 6");
    Strategies.validate("bulyan", f1, 7);
    StrategyOptions m8 = StrategyOptions.builder().byzantineF(1).multiKrumM(8).build();
    assertThatThrownBy(() -> Strategies.validate("multi-krum", m8, 7))
        .hasMessage("multi-krum: multiKrumM = 8 exceeds the 7 clients per round");
    assertThatThrownBy(() -> Strategies.validate("fedavg", DEFAULTS, 0))
        .hasMessage("clients per round must be >= 1, got 0");
  }
}
