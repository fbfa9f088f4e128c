package dev.flotilla.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProtocolTest {
  @Test
  void versionIsFour() {
    assertThat(Protocol.VERSION).isEqualTo(4);
  }

  @Test
  void versionMismatchNamesBothVersions() {
    assertThat(Protocol.versionMismatch(1)).contains("server speaks Flotilla protocol version 4")
        .contains("client version 1");
    assertThat(Protocol.versionMismatch(-1)).contains("client version 4294967295");
  }

  @Test
  void chunkSizeIsChecked() {
    assertThat(Protocol.checkChunkBytes(Protocol.MAX_CHUNK_BYTES)).isEqualTo(Protocol.MAX_CHUNK_BYTES);
    assertThatThrownBy(() -> Protocol.checkChunkBytes(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got 0");
  }
}
