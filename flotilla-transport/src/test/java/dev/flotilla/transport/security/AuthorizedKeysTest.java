package dev.flotilla.transport.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.FlotillaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The authorized keys file: one key per client, comments and blank lines, errors with their line number. */
class AuthorizedKeysTest {
  private static final AuthorizedKey SITE_1 = ClientKey.generate("site-1").authorizedKey();
  private static final AuthorizedKey SITE_2 = ClientKey.generate("site-2").authorizedKey();

  @TempDir
  Path dir;

  @Test
  void readsKeysBetweenCommentsAndBlankLines() throws Exception {
    Path file = write("# hospital A", "", SITE_1.toLine(), "   # hospital B", "  " + SITE_2.toLine() + "  ", "");

    AuthorizedKeys keys = AuthorizedKeys.read(file);

    assertThat(keys.size()).isEqualTo(2);
    assertThat(keys.keys()).containsExactly(SITE_1, SITE_2);
    assertThat(keys.find("site-2")).contains(SITE_2);
    assertThat(keys.find("site-3")).isEmpty();
  }

  @Test
  void aLineRoundTrips() {
    assertThat(AuthorizedKey.parse(SITE_1.toLine())).isEqualTo(SITE_1);
    assertThat(SITE_1.toLine()).startsWith("ed25519 MCowBQYDK2VwAyEA").endsWith(" site-1");
  }

  @Test
  void aBadLineIsNamedWithItsNumber() throws Exception {
    String key = SITE_1.toLine().split(" ")[1];
    assertError(write("# ok", SITE_1.toLine(), "ed25519 " + key), "keys:3: expected 3 words");
    assertError(write("rsa " + key + " site-3"), "keys:1: unknown key type 'rsa'; known: ed25519");
    assertError(write("", "ed25519 ###### site-3"), "keys:2: the key is not valid base64");
    assertError(write("ed25519 AAAA site-3"), "keys:1: the key is not an Ed25519 public key");
    String ecKey = Base64.getEncoder().encodeToString(TestPki.ecKeyPair().getPublic().getEncoded());
    assertError(write("ed25519 " + ecKey + " site-3"), "keys:1: the key is not an Ed25519 public key");
  }

  @Test
  void aClientIdGetsOneKey() throws Exception {
    AuthorizedKey otherKeySameId = ClientKey.generate("site-1").authorizedKey();
    assertError(write(SITE_1.toLine(), SITE_2.toLine(), otherKeySameId.toLine()),
        "keys:3: client id 'site-1' already has a key on line 1");
  }

  @Test
  void aKeySpeaksForOneClient() throws Exception {
    AuthorizedKey sameKeyOtherId = new AuthorizedKey("site-3", SITE_1.publicKey());
    assertError(write(SITE_1.toLine(), "", sameKeyOtherId.toLine()),
        "keys:3: this key is already bound to client 'site-1' on line 1");
    assertThatThrownBy(() -> AuthorizedKeys.of(List.of(SITE_1, sameKeyOtherId)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already bound");
  }

  @Test
  void aFileWithoutKeysOrWithoutAFileIsRefused() throws Exception {
    assertError(write("# nobody yet", ""), "lists no key");
    assertThatThrownBy(() -> AuthorizedKeys.read(dir.resolve("missing"))).isInstanceOf(FlotillaException.class)
        .hasMessage("authorized keys file " + dir.resolve("missing") + " does not exist");
  }

  private Path write(String... lines) throws Exception {
    Path file = dir.resolve("keys");
    Files.write(file, List.of(lines));
    return file;
  }

  private void assertError(Path file, String message) {
    assertThatThrownBy(() -> AuthorizedKeys.read(file)).isInstanceOf(FlotillaException.class)
        .hasMessageContaining(message.startsWith("keys:") ? file + message.substring("keys".length()) : message)
        .hasMessageNotContaining("\n");
  }
}
