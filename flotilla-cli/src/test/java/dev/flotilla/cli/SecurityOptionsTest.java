package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's and client's security options: one-line errors before anything starts. */
class SecurityOptionsTest {
  @TempDir
  Path dir;

  private static void assertOneLineError(CommandOutput run, String command, String message) {
    assertThat(run.code()).isEqualTo(Main.USAGE_ERROR);
    assertThat(run.err().strip()).startsWith("flotilla " + command + ": ").contains(message).doesNotContain("\n");
  }

  @Test
  void serverRefusesPlaintextOnEveryInterfaceWithoutInsecure() {
    assertOneLineError(CommandOutput.run("server", "--port", "0"), "server",
        "refusing to listen on 0.0.0.0 without TLS");
    assertOneLineError(CommandOutput.run("server", "--host", "192.0.2.10", "--port", "0"), "server",
        "--insecure");
  }

  @Test
  void serverOptionsThatDoNotGoTogether() {
    assertOneLineError(CommandOutput.run("server", "--tls-cert", "server.pem"), "server",
        "--tls-cert and --tls-key go together");
    assertOneLineError(CommandOutput.run("server", "--tls-client-ca", "ca.pem"), "server",
        "--tls-client-ca needs TLS");
    assertOneLineError(CommandOutput.run("server", "--tls-cert", dir.resolve("missing.pem").toString(),
        "--tls-key", dir.resolve("missing-key.pem").toString()), "server", "missing.pem does not exist");
    assertOneLineError(CommandOutput.run("server", "--host", "127.0.0.1", "--authorized-keys",
        dir.resolve("authorized_keys").toString()), "server", "authorized_keys does not exist");
    assertOneLineError(CommandOutput.run("server", "--host", "127.0.0.1", "--max-message-bytes", "2g"), "server",
        "maxInflightBytes");
    CommandOutput badSize = CommandOutput.run("server", "--max-message-bytes", "lots");
    assertThat(badSize.code()).isEqualTo(Main.USAGE_ERROR);
    assertThat(badSize.err()).contains("'lots' is not a size in bytes");
  }

  @Test
  void clientRefusesPlaintextToAnotherMachineWithoutInsecure() {
    assertOneLineError(CommandOutput.run("client", "--server-address", "192.0.2.10:8080", "--data-dir",
        dir.toString()), "client", "refusing to connect to 192.0.2.10:8080 without TLS");
    assertOneLineError(CommandOutput.run("client", "--server-address", "127.0.0.1:8080", "--data-dir",
        dir.toString(), "--tls-cert", "c.pem", "--tls-key", "k.pem"), "client", "--tls-cert needs TLS");
    assertOneLineError(CommandOutput.run("client", "--server-address", "127.0.0.1:8080", "--data-dir",
        dir.toString(), "--key-dir", dir.resolve("nokey").toString()), "client", "does not exist");
  }

  @Test
  void theClientIdMustBeTheKeysId() {
    CommandOutput.run("keys", "generate", "--out", dir.resolve("site-1").toString());
    assertOneLineError(CommandOutput.run("client", "--server-address", "127.0.0.1:8080", "--data-dir",
        dir.toString(), "--key-dir", dir.resolve("site-1").toString(), "--client-id", "site-2"), "client",
        "--client-id 'site-2' differs from the id 'site-1'");
  }

  @Test
  void sizesReadBinaryUnits() {
    assertThat(ByteSizeConverter.parse("1048576")).isEqualTo(1L << 20);
    assertThat(ByteSizeConverter.parse("512k")).isEqualTo(512L << 10);
    assertThat(ByteSizeConverter.parse("256M")).isEqualTo(256L << 20);
    assertThat(ByteSizeConverter.parse("2g")).isEqualTo(2L << 30);
    assertThat(ByteSizeConverter.parse("1GiB")).isEqualTo(1L << 30);
  }
}
