package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@code flotilla} launcher script at the repository's root. */
@Timeout(60)
class LauncherTest {
  private static final Path LAUNCHER = Path.of("..", "flotilla").toAbsolutePath().normalize();

  @Test
  void aClassDataSharingSettingOtherThanOnOrOffIsRefusedInOneLineBeforeAnythingRuns() throws Exception {
    assertRefused("FLOTILLA_CDS", "maybe");
  }

  @Test
  void aVectorSettingOtherThanOnOrOffIsRefusedInOneLineBeforeAnythingRuns() throws Exception {
    assertRefused("FLOTILLA_VECTOR", "yes");
  }

  private static void assertRefused(String variable, String value) throws Exception {
    assertThat(LAUNCHER).isRegularFile();
    ProcessBuilder pb = new ProcessBuilder("bash", LAUNCHER.toString(), "--version");
    pb.environment().put(variable, value);
    Path err = Files.createTempFile("launcher", ".err");
    pb.redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

    assertThat(p.exitValue()).isEqualTo(Main.USAGE_ERROR);
    assertThat(Files.readString(err, StandardCharsets.UTF_8))
        .isEqualTo("flotilla: " + variable + " must be on or off, got '" + value + "'\n");
    Files.delete(err);
  }
}
