package dev.flotilla.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConnectionLimitsTest {
  @Test
  void defaultsAndWithers() {
    ConnectionLimits limits = ConnectionLimits.defaults();
    assertThat(limits.maxMessageBytes()).isEqualTo(256L << 20);
    assertThat(limits.maxInflightBytes()).isEqualTo(1L << 30);
    assertThat(limits.withUploadStallTimeout(Duration.ofSeconds(2)).uploadStallTimeout())
        .isEqualTo(Duration.ofSeconds(2));
    assertThat(limits.checkPeriod()).isEqualTo(Duration.ofSeconds(1));
    assertThat(limits.withHandshakeTimeout(Duration.ofMillis(400)).checkPeriod()).isEqualTo(Duration.ofMillis(100));
    assertThat(limits.withHandshakeTimeout(Duration.ofMillis(1)).checkPeriod()).isEqualTo(Duration.ofMillis(10));
  }

  @Test
  void badValuesAreNamed() {
    ConnectionLimits limits = ConnectionLimits.defaults();
    assertThatThrownBy(() -> limits.withMaxMessageBytes(2L << 30)).hasMessageContaining("maxInflightBytes");
    assertThatThrownBy(() -> limits.withMaxMessageBytes(-1)).hasMessageContaining("got -1");
    assertThatThrownBy(() -> limits.withHandshakeTimeout(Duration.ZERO)).hasMessageContaining("handshakeTimeout");
    assertThatThrownBy(() -> limits.withUploadStallTimeout(Duration.ofSeconds(-1)))
        .hasMessageContaining("uploadStallTimeout");
  }
}
