package dev.flotilla.cli;

import static dev.flotilla.cli.CommandOutput.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.transport.security.AuthorizedKeys;
import dev.flotilla.transport.security.ClientKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flotilla keys generate}: a key pair whose public line an authorized keys file takes as it is. */
class KeysCommandTest {
  @TempDir
  Path dir;

  @Test
  void generateWritesAKeyPairAndPrintsTheLineForTheServer() throws Exception {
    Path out = dir.resolve("keys/site-1");
    CommandOutput run = run("keys", "generate", "--out", out.toString());

    assertThat(run.code()).isZero();
    ClientKey key = ClientKey.read(out);
    assertThat(key.clientId()).isEqualTo("site-1"); // the folder's name
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("client.key"))))
        .isEqualTo("rw-------");
    assertThat(run.out()).contains("add this line to the server's authorized keys file:")
        .contains(key.authorizedKey().toLine());
    Path authorized = Files.write(dir.resolve("authorized_keys"), List.of(Files.readString(out.resolve("client.pub"))));
    assertThat(AuthorizedKeys.read(authorized).find("site-1")).contains(key.authorizedKey());
  }

  @Test
  void clientIdCanBeGivenAndAnExistingKeyIsKept() throws Exception {
    assertThat(run("keys", "generate", "--out", dir.toString(), "--client-id", "hospital-a").code()).isZero();
    String before = Files.readString(dir.resolve("client.key"));

    CommandOutput again = run("keys", "generate", "--out", dir.toString(), "--client-id", "hospital-a");

    assertThat(ClientKey.read(dir).clientId()).isEqualTo("hospital-a");
    assertThat(again.code()).isEqualTo(Main.USAGE_ERROR);
    assertThat(again.err()).contains("flotilla keys generate: ").contains("client.key already exists")
        .doesNotContain("\tat ");
    assertThat(Files.readString(dir.resolve("client.key"))).isEqualTo(before);
  }

  @Test
  void aBadClientIdGetsOneLine() {
    CommandOutput run = run("keys", "generate", "--out", dir.toString(), "--client-id", "two words");
    assertThat(run.code()).isEqualTo(Main.USAGE_ERROR);
    assertThat(run.err()).contains("white space").doesNotContain("\tat ");
  }
}
