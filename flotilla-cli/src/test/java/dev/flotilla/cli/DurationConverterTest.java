package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationConverterTest {
  @Test
  void readsShortAndIsoForms() {
    assertThat(DurationConverter.parse("120s")).isEqualTo(Duration.ofSeconds(120));
    assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(DurationConverter.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
    assertThat(DurationConverter.parse("PT30S")).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void namesABadValue() {
    assertThatThrownBy(() -> DurationConverter.parse("soon")).hasMessageContaining("'soon'");
  }
}
