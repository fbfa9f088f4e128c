package dev.flotilla.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.transport.proto.ConfigEntry;
import dev.flotilla.transport.proto.Metric;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireValuesTest {
  @Test
  void configRoundTripKeepsTypesAndOrder() {
    Config c = Config.of("z", 1, "a", 0.5, "m", false, "s", "text");

    Config back = WireValues.toConfig(WireValues.toEntries(c));

    assertThat(back).isEqualTo(c);
    assertThat(back.values().keySet()).containsExactly("z", "a", "m", "s");
    assertThat(back.values().get("z")).isInstanceOf(Long.class);
  }

  @Test
  void metricsRoundTripKeepsOrder() {
    Metrics m = Metrics.of("loss", 0.3, "accuracy", 0.9);

    assertThat(WireValues.toMetrics(WireValues.toWire(m)).values().keySet()).containsExactly("loss", "accuracy");
  }

  @Test
  void entryWithoutValueIsRejected() {
    assertThatThrownBy(() -> WireValues.toConfig(List.of(ConfigEntry.newBuilder().setKey("lr").build())))
        .isInstanceOf(ProtocolException.class).hasMessageContaining("'lr' has no value");
  }

  @Test
  void repeatedNamesAreRejected() {
    ConfigEntry e = ConfigEntry.newBuilder().setKey("k").setIntValue(1).build();
    assertThatThrownBy(() -> WireValues.toConfig(List.of(e, e))).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("'k' appears twice");
    Metric m = Metric.newBuilder().setName("loss").setValue(1).build();
    assertThatThrownBy(() -> WireValues.toMetrics(List.of(m, m))).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("'loss' appears twice");
  }
}
