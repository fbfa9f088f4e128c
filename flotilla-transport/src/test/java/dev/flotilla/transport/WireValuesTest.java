package dev.flotilla.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.message.Metadata;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.tensor.DType;
import dev.flotilla.transport.proto.ConfigEntry;
import dev.flotilla.transport.proto.DataType;
import dev.flotilla.transport.proto.ErrorInfo;
import dev.flotilla.transport.proto.MessageStart;
import dev.flotilla.transport.proto.Metric;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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

  @Test
  void metadataRoundTrip() {
    Metadata m = new Metadata(8, 6, "secagg/3/unmask", 2, 1_700_000_000_000L);

    assertThat(WireValues.toMetadata(WireValues.setMetadata(MessageStart.newBuilder(), m).build())).isEqualTo(m);
  }

  @Test
  void metadataWithoutPositiveIdOrWithBadValuesIsRejected() {
    assertThatThrownBy(() -> WireValues.toMetadata(MessageStart.newBuilder().setMessageId(-4).build()))
        .isInstanceOf(ProtocolException.class).hasMessageContaining("message_id -4");
    assertThatThrownBy(() -> WireValues.toMetadata(MessageStart.newBuilder().setMessageId(1).setReplyTo(-2).build()))
        .isInstanceOf(ProtocolException.class).hasMessageContaining("replyTo -2");
    assertThatThrownBy(() -> WireValues.toMetadata(MessageStart.newBuilder().setMessageId(1).setModelVersion(-7)
        .build())).isInstanceOf(ProtocolException.class).hasMessageContaining("modelVersion must be >= -1, got -7");
  }

  @ParameterizedTest
  @EnumSource(MessageError.Code.class)
  void errorRoundTrip(MessageError.Code code) {
    MessageError e = new MessageError(code, "because " + code);

    assertThat(WireValues.toError(WireValues.toWire(e))).isEqualTo(e);
  }

  @Test
  void errorCodesOnTheWireAreDistinct() {
    assertThat(Arrays.stream(MessageError.Code.values())
        .map(c -> WireValues.toWire(new MessageError(c, "")).getCode()).distinct()).hasSize(
        MessageError.Code.values().length);
  }

  @Test
  void errorWithUnknownCodeIsRejectedNamingIt() {
    assertThatThrownBy(() -> WireValues.toError(ErrorInfo.newBuilder().setCodeValue(99).setReason("r").build()))
        .isInstanceOf(ProtocolException.class).hasMessageContaining("unknown code 99");
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void dtypeRoundTrip(DType dtype) {
    DataType wire = WireValues.toWire(dtype);

    assertThat(wire.name()).isEqualTo("DATA_TYPE_" + dtype.name());
    assertThat(WireValues.toDType(wire.getNumber())).isEqualTo(dtype);
  }

  @Test
  void unknownOrUnsetDtypeIsRejectedListingTheKnownOnes() {
    assertThatThrownBy(() -> WireValues.toDType(42)).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("unknown dtype 42").hasMessageContaining("1 (float32)")
        .hasMessageContaining("7 (bytes)");
    assertThatThrownBy(() -> WireValues.toDType(0)).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("dtype is not set");
  }
}
