package dev.flotilla.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.FlotillaException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The store on its embedded default: an H2 file in the state folder, nothing to set up. */
class EmbeddedRunStoreTest extends RunStoreContract {
  @Override
  RunStore open(Path stateDir) throws Exception {
    return RunStore.open(stateDir, null);
  }

  @Test
  void theDatabaseIsAFileInTheStateFolder() throws Exception {
    try (RunStore store = open(stateDir)) {
      store.create("first", new RunSpec("fedavg", "mlp", 1, 1));
    }
    assertThat(Files.exists(stateDir.resolve(RunStore.EMBEDDED_NAME + ".mv.db"))).isTrue();
  }

  @Test
  void aBadUrlIsNamedInTheError() {
    assertThatThrownBy(() -> RunStore.open(stateDir, "postgresql://nowhere"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not start with jdbc:");
    assertThatThrownBy(() -> RunStore.open(stateDir, "jdbc:postgresql://127.0.0.1:1/x?user=u&password=secret"))
        .isInstanceOf(FlotillaException.class).hasMessageContaining("password=***")
        .hasMessageNotContaining("secret");
  }
}
