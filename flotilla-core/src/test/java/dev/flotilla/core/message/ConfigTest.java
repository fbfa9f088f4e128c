package dev.flotilla.core.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConfigTest {
  @Test
  void widensAndReadsTypedValues() {
    Config c = Config.of("epochs", 2, "lr", 0.01f, "name", "cnn", "on", true);
    assertThat(c.values().get("epochs")).isEqualTo(2L);
    assertThat(c.getInt("epochs", 0)).isEqualTo(2);
    assertThat(c.getDouble("lr", 0)).isCloseTo(0.01, org.assertj.core.api.Assertions.within(1e-8));
    assertThat(c.getString("name", "")).isEqualTo("cnn");
    assertThat(c.getBoolean("on", false)).isTrue();
    assertThat(c.getInt("missing", 7)).isEqualTo(7);
    assertThat(c.with("epochs", 3).getInt("epochs", 0)).isEqualTo(3);
    assertThat(c.getInt("epochs", 0)).isEqualTo(2);
  }

  @Test
  void wrongTypesAreNamed() {
    Config c = Config.of("lr", "fast");
    assertThatThrownBy(() -> c.getDouble("lr", 0)).hasMessageContaining("'lr'").hasMessageContaining("fast");
    assertThatThrownBy(() -> Config.of("x", new Object())).hasMessageContaining("'x'");
    assertThatThrownBy(() -> Config.of("x")).hasMessageContaining("pairs");
  }
}
