package dev.flotilla.transport.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.FlotillaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A client key written to a folder reads back the same, and bad key files get one line naming them. */
class ClientKeyTest {
  @TempDir
  Path dir;

  @Test
  void writtenKeyReadsBackAndSignsTheSame() throws Exception {
    ClientKey key = ClientKey.generate("site-1");
    key.write(dir);

    ClientKey read = ClientKey.read(dir);

    assertThat(read.clientId()).isEqualTo("site-1");
    assertThat(read.authorizedKey()).isEqualTo(key.authorizedKey());
    AuthChallenge challenge = AuthChallenge.issue();
    assertThat(challenge.verify(AuthorizedKeys.of(java.util.List.of(key.authorizedKey())), "site-1",
        read.sign(challenge.bytes(), ChannelBinding.none()), ChannelBinding.none()).clientId()).isEqualTo("site-1");
    assertThat(Files.readString(dir.resolve("client.pub"))).isEqualTo(key.authorizedKey().toLine() + "\n");
    assertThat(Files.readString(dir.resolve("client.key"))).startsWith("-----BEGIN PRIVATE KEY-----\n");
  }

  @Test
  void privateKeyIsReadableByItsOwnerAlone() throws Exception {
    ClientKey.generate("site-1").write(dir);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("client.key"))))
        .isEqualTo("rw-------");
  }

  @Test
  void existingKeyFilesAreNotOverwritten() {
    ClientKey.generate("site-1").write(dir);

    assertThatThrownBy(() -> ClientKey.generate("site-1").write(dir)).isInstanceOf(FlotillaException.class)
        .hasMessageContaining("client.key already exists");
  }

  @Test
  void privateKeyOfAnotherPairIsRefused() throws Exception {
    ClientKey.generate("site-1").write(dir.resolve("a"));
    ClientKey.generate("site-1").write(dir.resolve("b"));

    assertThatThrownBy(() -> ClientKey.read(dir.resolve("a/client.key"), dir.resolve("b/client.pub")))
        .isInstanceOf(FlotillaException.class).hasMessageContaining("is not the other half of public key");
  }

  @Test
  void missingAndMalformedFilesAreNamed() throws Exception {
    assertThatThrownBy(() -> ClientKey.read(dir)).isInstanceOf(FlotillaException.class)
        .hasMessageContaining("client.pub does not exist");
    Files.writeString(dir.resolve("client.pub"), "ed25519 AAAA site-1\ned25519 AAAA site-2\n");
    assertThatThrownBy(() -> ClientKey.read(dir)).isInstanceOf(FlotillaException.class)
        .hasMessageContaining("must hold one key line, not 2");
    Files.writeString(dir.resolve("client.pub"), ClientKey.generate("site-1").authorizedKey().toLine());
    assertThatThrownBy(() -> ClientKey.read(dir)).isInstanceOf(FlotillaException.class)
        .hasMessageContaining("client.key does not exist");
  }

  @Test
  void aKeyOfAnotherTypeIsRefused() {
    ClientKey.generate("site-1").write(dir);
    Path ec = dir.resolve("ec.key");
    PemFiles.writePrivateKey(ec, TestPki.ecKeyPair().getPrivate());

    assertThatThrownBy(() -> ClientKey.read(ec, dir.resolve("client.pub"))).isInstanceOf(FlotillaException.class)
        .hasMessageContaining("is a EC key; client keys are Ed25519");
  }

  @Test
  void badClientIdsAreRefused() {
    assertThatThrownBy(() -> ClientKey.generate("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ClientKey.generate("two words")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("white space");
    assertThatThrownBy(() -> ClientKey.generate("x".repeat(129))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("longer than 128");
  }

  @Test
  void toStringShowsThePublicHalfOnly() {
    ClientKey key = ClientKey.generate("site-1");
    assertThat(key.toString()).contains(key.authorizedKey().toLine()).doesNotContain("PRIVATE");
  }
}
