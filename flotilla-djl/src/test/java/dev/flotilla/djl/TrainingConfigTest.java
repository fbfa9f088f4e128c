package dev.flotilla.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.message.Config;
import org.junit.jupiter.api.Test;

class TrainingConfigTest {
  @Test
  void defaultsAreWorkloadW1() {
    assertThat(TrainingConfig.defaults()).isEqualTo(new TrainingConfig(0.01, 0, 32, 1, 0, 0, false));
  }

  @Test
  void readsKeysAndIgnoresOthers() {
    TrainingConfig c = TrainingConfig.from(Config.of("lr", 0.1, "momentum", 0.9, "batch_size", 10,
        "local_epochs", 2, "round", 7, "proximal_mu", 0.01, "label_flip", true, "strategy", "fedprox"));
    assertThat(c).isEqualTo(new TrainingConfig(0.1, 0.9, 10, 2, 7, 0.01, true));
    assertThat(TrainingConfig.from(c.toConfig())).isEqualTo(c);
  }

  @Test
  void rejectsBadValuesNamingTheKey() {
    assertThatThrownBy(() -> TrainingConfig.from(Config.of("lr", -1.0))).hasMessageContaining("'lr' = -1.0");
    assertThatThrownBy(() -> TrainingConfig.from(Config.of("batch_size", 0))).hasMessageContaining("'batch_size' = 0");
    assertThatThrownBy(() -> TrainingConfig.from(Config.of("momentum", 1.0))).hasMessageContaining("'momentum' = 1.0");
    assertThatThrownBy(() -> TrainingConfig.from(Config.of("local_epochs", 0)))
        .hasMessageContaining("'local_epochs' = 0");
  }

  @Test
  void proximalMuIsAFiniteNonNegativeNumber() {
    assertThat(TrainingConfig.from(Config.of("proximal_mu", 2)).proximalMu()).isEqualTo(2.0);
    assertThat(TrainingConfig.defaults().withProximalMu(0.5).proximalMu()).isEqualTo(0.5);
    assertThatThrownBy(() -> TrainingConfig.from(Config.of("proximal_mu", -0.1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'proximal_mu' = -0.1");
    assertThatThrownBy(() -> TrainingConfig.from(Config.of("proximal_mu", Double.NaN)))
        .hasMessageContaining("'proximal_mu' = NaN");
    assertThatThrownBy(() -> TrainingConfig.from(Config.of("proximal_mu", Double.POSITIVE_INFINITY)))
        .hasMessageContaining("'proximal_mu' = Infinity");
  }

  @Test
  void labelFlipIsABoolean() {
    assertThat(TrainingConfig.from(Config.of("label_flip", true)).labelFlip()).isTrue();
    assertThat(TrainingConfig.defaults().withLabelFlip(true).labelFlip()).isTrue();
    assertThatThrownBy(() -> TrainingConfig.from(Config.of("label_flip", "yes")))
        .hasMessageContaining("label_flip");
  }
}
