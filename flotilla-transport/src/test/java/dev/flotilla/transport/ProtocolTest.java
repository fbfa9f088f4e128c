package dev.flotilla.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProtocolTest {
  @Test
  void versionIsFive() {
    assertThat(Protocol.VERSION).isEqualTo(5);
  }

  @Test
  void versionMismatchNamesBothVersions() {
    assertThat(Protocol.versionMismatch(1)).contains("server speaks Flotilla protocol version 5")
        .contains("client version 1");
    assertThat(Protocol.versionMismatch(-1)).contains("client version 4294967295");
  }

  @Test
  void aMessageTravelsWholeWhenItsArraysFitOneChunkAndSixtyFourKibibytes() {
    assertThat(Protocol.sentWhole(0, 1)).isTrue();
    assertThat(Protocol.sentWhole(100, 100)).isTrue();
    assertThat(Protocol.sentWhole(101, 100)).isFalse();
    assertThat(Protocol.sentWhole(Protocol.WHOLE_MESSAGE_ARRAY_BYTES, Protocol.DEFAULT_CHUNK_BYTES)).isTrue();
    assertThat(Protocol.sentWhole(Protocol.WHOLE_MESSAGE_ARRAY_BYTES + 1, Protocol.DEFAULT_CHUNK_BYTES)).isFalse();
    assertThat(Protocol.needsGrant(1, Protocol.WHOLE_MESSAGE_ARRAY_BYTES)).as("a whole message never waits").isFalse();
  }

  @Test
  void chunkSizeIsChecked() {
    assertThat(Protocol.checkChunkBytes(Protocol.MAX_CHUNK_BYTES)).isEqualTo(Protocol.MAX_CHUNK_BYTES);
    assertThatThrownBy(() -> Protocol.checkChunkBytes(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got 0");
  }
}
