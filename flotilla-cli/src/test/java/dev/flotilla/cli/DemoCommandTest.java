package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DemoCommandTest {
  @Test
  void theClientsItStartsMapTheLaunchersClassArchiveAndNothingElseOfItsOptions() {
    List<String> launcher = List.of("-XX:SharedArchiveFile=/x/flotilla.jsa", "-Xshare:auto", "-Xlog:cds=off",
        "-Xlog:cds+dynamic=off", "-Xmx2g", "-Dai.djl.offline=true", "-Dflotilla.launcher=./flotilla",
        "-XX:+UseSerialGC");

    assertThat(DemoCommand.classDataSharing(launcher)).containsExactly("-XX:SharedArchiveFile=/x/flotilla.jsa",
        "-Xshare:auto", "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    assertThat(DemoCommand.classDataSharing(List.of("-Xmx2g"))).isEmpty();
  }
}
