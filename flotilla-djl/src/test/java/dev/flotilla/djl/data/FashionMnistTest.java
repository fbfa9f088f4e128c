package dev.flotilla.djl.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.FlotillaException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Needs the installed data set ({@code apt-get install dataset-fashion-mnist}); fails, never skips, without it. */
class FashionMnistTest {
  @Test
  void loadsTheInstalledDataSet() {
    LabelledImages train = FashionMnist.train();
    LabelledImages test = FashionMnist.test();
    assertThat(train.size()).isEqualTo(FashionMnist.TRAIN_SIZE);
    assertThat(test.size()).isEqualTo(FashionMnist.TEST_SIZE);
    assertThat(train.rows()).isEqualTo(28);
    assertThat(train.cols()).isEqualTo(28);
    assertThat(train.maxLabel()).isEqualTo(9);
    int[] counts = new int[10];
    for (int label : test.labels()) {
      counts[label]++;
    }
    assertThat(counts).containsOnly(1000);
    // The first training image is an ankle boot (class 9), as in the original distribution.
    assertThat(train.label(0)).isEqualTo(9);
  }

  @Test
  void saysHowToInstallWhenFilesAreMissing(@TempDir Path empty) {
    assertThat(FashionMnist.isInstalled(empty)).isFalse();
    assertThatThrownBy(() -> FashionMnist.train(empty))
        .isInstanceOf(FlotillaException.class)
        .hasMessageContaining("train-images-idx3-ubyte")
        .hasMessageContaining("apt-get install dataset-fashion-mnist");
  }
}
