package dev.flotilla.djl.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.FlotillaException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientDataFolderTest {
  @TempDir Path dir;

  @Test
  void writesTheChosenExamplesAndReadsThemBack() {
    LabelledImages all = LabelledImagesTest.fourImages();
    Path client = dir.resolve("client-3");
    ClientDataFolder.write(client, all, new int[] {3, 1});

    assertThat(client.resolve(ClientDataFolder.TRAIN_IMAGES)).isRegularFile();
    assertThat(client.resolve(ClientDataFolder.TRAIN_LABELS)).isRegularFile();
    ClientDataFolder folder = ClientDataFolder.read(client);
    assertThat(folder.train().labels()).containsExactly(3, 1);
    assertThat(folder.train().imagesIdx().values()).containsExactly(all.subset(new int[] {3, 1}).imagesIdx().values());
    assertThat(folder.train().rows()).isEqualTo(2);
    assertThat(folder.train().cols()).isEqualTo(3);
    assertThat(folder.test()).isEmpty();
  }

  @Test
  void keepsOptionalTestFilesAndDropsStaleOnes() {
    LabelledImages all = LabelledImagesTest.fourImages();
    ClientDataFolder.write(dir, all.first(3), all.subset(new int[] {3}));
    assertThat(ClientDataFolder.read(dir).test()).hasValueSatisfying(t -> assertThat(t.labels()).containsExactly(3));

    ClientDataFolder.write(dir, all.first(2));
    assertThat(ClientDataFolder.read(dir).test()).isEmpty();
    assertThat(ClientDataFolder.read(dir).train().size()).isEqualTo(2);
  }

  @Test
  void namesTheMissingFile() throws Exception {
    ClientDataFolder.write(dir, LabelledImagesTest.fourImages());
    Files.delete(dir.resolve(ClientDataFolder.TRAIN_LABELS));
    assertThatThrownBy(() -> ClientDataFolder.read(dir))
        .isInstanceOf(FlotillaException.class)
        .hasMessageContaining("lacks train-labels-idx1-ubyte");
    assertThatThrownBy(() -> ClientDataFolder.read(dir.resolve("nowhere")))
        .hasMessageContaining("does not exist");
  }
}
