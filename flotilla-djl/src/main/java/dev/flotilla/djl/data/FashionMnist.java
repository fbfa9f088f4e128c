package dev.flotilla.djl.data;

import dev.flotilla.core.FlotillaException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads Fashion-MNIST (<a href="https://github.com/zalandoresearch/fashion-mnist">Xiao et al., 2017</a>): 28x28
 * grey-scale images of clothing in 10 classes, 60,000 for training and 10,000 for testing, as
 * {@link LabelledImages}. The files are the four IDX files of the original distribution, gzipped or not, as the
 * Debian package {@code dataset-fashion-mnist} installs them in {@link #DEFAULT_DIR}.
 *
 * <p>Stateless and thread-safe; each call reads the files again (about half a second for the training set).
 */
public final class FashionMnist {
  /** Where {@code apt-get install dataset-fashion-mnist} puts the files. */
  public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
  /** Number of training examples. */
  public static final int TRAIN_SIZE = 60_000;
  /** Number of test examples. */
  public static final int TEST_SIZE = 10_000;
  /** Number of classes. */
  public static final int NUM_CLASSES = 10;

  private FashionMnist() {}

  /** The 60,000 training examples from {@link #DEFAULT_DIR}. */
  public static LabelledImages train() {
    return train(DEFAULT_DIR);
  }

  /** The 10,000 test examples from {@link #DEFAULT_DIR}. */
  public static LabelledImages test() {
    return test(DEFAULT_DIR);
  }

  /** The training examples from {@code train-images-idx3-ubyte[.gz]} and {@code train-labels-idx1-ubyte[.gz]}. */
  public static LabelledImages train(Path dir) {
    return load(dir, "train-images-idx3-ubyte", "train-labels-idx1-ubyte");
  }

  /** The test examples from {@code t10k-images-idx3-ubyte[.gz]} and {@code t10k-labels-idx1-ubyte[.gz]}. */
  public static LabelledImages test(Path dir) {
    return load(dir, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
  }

  /** True if all four files are present in {@code dir}, plain or gzipped. */
  public static boolean isInstalled(Path dir) {
    for (String name : new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
      if (find(dir, name) == null) {
        return false;
      }
    }
    return true;
  }

  private static LabelledImages load(Path dir, String imagesName, String labelsName) {
    Path images = require(dir, imagesName);
    Path labels = require(dir, labelsName);
    return LabelledImages.fromIdx(IdxReader.read(images), IdxReader.read(labels), images.toString());
  }

  private static Path require(Path dir, String name) {
    Path found = find(dir, name);
    if (found == null) {
      throw new FlotillaException("Fashion-MNIST file " + dir.resolve(name + ".gz") + " (or " + name
          + ") is missing; install the data set with `apt-get install dataset-fashion-mnist`"
          + (dir.equals(DEFAULT_DIR) ? "" : " or point to the directory that holds the IDX files"));
    }
    return found;
  }

  /** {@code dir/name.gz} or {@code dir/name}, whichever exists (gzipped first), else null. */
  static Path find(Path dir, String name) {
    Path gz = dir.resolve(name + ".gz");
    if (Files.isRegularFile(gz)) {
      return gz;
    }
    Path plain = dir.resolve(name);
    return Files.isRegularFile(plain) ? plain : null;
  }
}
