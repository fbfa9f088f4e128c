package dev.flotilla.djl.data;

import dev.flotilla.core.FlotillaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One client's local data on disk: a folder of plain (uncompressed) IDX files of unsigned bytes in the layout of
 * MNIST, holding only this client's examples.
 *
 * <pre>
 *   DIR/train-images-idx3-ubyte   images [n, rows, cols], one byte per pixel (0 = background)
 *   DIR/train-labels-idx1-ubyte   labels [n], the class of each image
 *   DIR/test-images-idx3-ubyte    optional: local test images, for federated evaluation
 *   DIR/test-labels-idx1-ubyte    optional: their labels (present exactly when the test images are)
 * </pre>
 *
 * The {@code flotilla partition} command writes one such folder per client with {@link #write(Path, LabelledImages,
 * int[])}; the {@code flotilla client} command reads it with {@link #read(Path)}. Gzipped files ({@code *.gz}) are
 * read too, so a folder of the original Fashion-MNIST training files also works.
 *
 * <p>Instances are immutable and thread-safe; the static methods are stateless.
 */
public final class ClientDataFolder {
  /** File name of the training images. */
  public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
  /** File name of the training labels. */
  public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
  /** File name of the optional local test images. */
  public static final String TEST_IMAGES = "test-images-idx3-ubyte";
  /** File name of the optional local test labels. */
  public static final String TEST_LABELS = "test-labels-idx1-ubyte";

  private final Path dir;
  private final LabelledImages train;
  private final LabelledImages test;

  private ClientDataFolder(Path dir, LabelledImages train, LabelledImages test) {
    this.dir = dir;
    this.train = train;
    this.test = test;
  }

  /**
   * Writes the examples of {@code source} at {@code indices} (for instance one client's part from a
   * {@code Partitioner}) as the training files of {@code dir}, creating the directory if needed and replacing
   * existing files.
   */
  public static void write(Path dir, LabelledImages source, int[] indices) {
    writeFiles(dir, source.subset(indices), null);
  }

  /**
   * Writes {@code train} as the training files of {@code dir}, creating the directory if needed. Existing files
   * are replaced, and stale test files deleted, so that the folder holds exactly what was written.
   */
  public static void write(Path dir, LabelledImages train) {
    writeFiles(dir, train, null);
  }

  /** Writes {@code train} and {@code test} into {@code dir}, creating the directory if needed and replacing files. */
  public static void write(Path dir, LabelledImages train, LabelledImages test) {
    writeFiles(dir, train, Objects.requireNonNull(test, "test"));
  }

  private static void writeFiles(Path dir, LabelledImages train, LabelledImages test) {
    try {
      Files.createDirectories(dir);
      IdxWriter.write(dir.resolve(TRAIN_IMAGES), train.imagesIdx());
      IdxWriter.write(dir.resolve(TRAIN_LABELS), train.labelsIdx());
      if (test != null) {
        IdxWriter.write(dir.resolve(TEST_IMAGES), test.imagesIdx());
        IdxWriter.write(dir.resolve(TEST_LABELS), test.labelsIdx());
      } else {
        Files.deleteIfExists(dir.resolve(TEST_IMAGES));
        Files.deleteIfExists(dir.resolve(TEST_LABELS));
      }
    } catch (IOException e) {
      throw new FlotillaException("cannot write client data folder " + dir + ": " + e, e);
    }
  }

  /** Reads the folder {@code dir}; fails naming the missing file if the training files are absent. */
  public static ClientDataFolder read(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new FlotillaException("client data folder " + dir + " does not exist or is not a directory");
    }
    LabelledImages train = readPair(dir, TRAIN_IMAGES, TRAIN_LABELS, true);
    LabelledImages test = readPair(dir, TEST_IMAGES, TEST_LABELS, false);
    return new ClientDataFolder(dir, train, test);
  }

  /** The folder this was read from. */
  public Path dir() {
    return dir;
  }

  /** The client's training examples. */
  public LabelledImages train() {
    return train;
  }

  /** The client's local test examples, if the folder has them. */
  public Optional<LabelledImages> test() {
    return Optional.ofNullable(test);
  }

  private static LabelledImages readPair(Path dir, String imagesName, String labelsName, boolean required) {
    Path images = FashionMnist.find(dir, imagesName);
    Path labels = FashionMnist.find(dir, labelsName);
    if (images == null && labels == null && !required) {
      return null;
    }
    if (images == null || labels == null) {
      String missing = images == null ? imagesName : labelsName;
      throw new FlotillaException("client data folder " + dir + " lacks " + missing
          + "; it needs " + imagesName + " and " + labelsName + " (plain IDX files, see ClientDataFolder)");
    }
    return LabelledImages.fromIdx(IdxReader.read(images), IdxReader.read(labels), images.toString());
  }

  @Override
  public String toString() {
    return "ClientDataFolder[" + dir + ", train " + train.size() + (test == null ? "" : ", test " + test.size())
        + "]";
  }
}
