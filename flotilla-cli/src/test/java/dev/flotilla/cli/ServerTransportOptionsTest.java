package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.server.ServerSettings;
import dev.flotilla.transport.Protocol;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code flotilla server --flow-control-window}, {@code --upload-slots}, {@code --upload-lookahead} and
 * {@code --lend-uploads}: into the settings, or a one-line error.
 */
class ServerTransportOptionsTest {
  private static ServerSettings settings(String... args) {
    ServerCommand command = new ServerCommand();
    new CommandLine(command).parseArgs(args);
    return command.settings();
  }

  @Test
  void reachTheServersSettings() {
    ServerSettings s = settings("--host", "127.0.0.1", "--flow-control-window", "256k", "--upload-slots", "1",
        "--upload-lookahead", "0", "--lend-uploads");

    assertThat(s.flowControlWindowBytes()).isEqualTo(256 << 10);
    assertThat(s.uploadSlots()).isEqualTo(1);
    assertThat(s.uploadLookahead()).isZero();
    assertThat(s.lendUploads()).isTrue();
    ServerSettings defaults = settings("--host", "127.0.0.1");
    assertThat(defaults.flowControlWindowBytes()).isEqualTo(Protocol.DEFAULT_FLOW_CONTROL_WINDOW_BYTES);
    assertThat(defaults.uploadSlots()).isEqualTo(ServerSettings.builder().build().uploadSlots());
    assertThat(defaults.uploadLookahead()).isEqualTo(ServerSettings.DEFAULT_UPLOAD_LOOKAHEAD);
    assertThat(defaults.lendUploads()).isFalse();
  }

  @Test
  void outOfRangeValuesAreOneLineErrorsNamingThem() {
    for (String[] given : new String[][] {{"16k", "16384"}, {"3g", "3221225472"}}) {
      CommandOutput run = CommandOutput.run("server", "--host", "127.0.0.1", "--flow-control-window",
          given[0]);
      assertThat(run.code()).isEqualTo(Main.USAGE_ERROR);
      assertThat(run.err().strip()).startsWith("flotilla server: ").contains("flow-control window must be between")
          .contains("got " + given[1]).doesNotContain("\n");
    }
    CommandOutput slots = CommandOutput.run("server", "--host", "127.0.0.1", "--upload-slots", "0");
    assertThat(slots.code()).isEqualTo(Main.USAGE_ERROR);
    assertThat(slots.err().strip()).contains("uploadSlots must be >= 1, got 0").doesNotContain("\n");
    CommandOutput ahead = CommandOutput.run("server", "--host", "127.0.0.1", "--upload-lookahead", "-1");
    assertThat(ahead.code()).isEqualTo(Main.USAGE_ERROR);
    assertThat(ahead.err().strip()).contains("uploadLookahead must be >= 0, got -1").doesNotContain("\n");
  }
}
