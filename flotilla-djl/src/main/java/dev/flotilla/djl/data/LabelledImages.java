package dev.flotilla.djl.data;

import java.util.Arrays;

/**
 * An in-memory set of single-channel images with integer class labels, such as Fashion-MNIST.
 *
 * <p>Pixels are stored as unsigned bytes (a quarter of the memory of floats, and exact) and read as float32
 * {@code x / 255} in [0, 1], with no other normalisation: the input that the models of this module expect.
 *
 * <p>Immutable and thread-safe. {@link #subset} is cheap: it shares the pixels and labels and keeps only an index
 * list, so a client's part of a 60,000-image training set costs 4 bytes per example.
 */
public final class LabelledImages {
  private static final float[] UNSIGNED_BYTE_TO_UNIT = new float[256];

  static {
    for (int i = 0; i < 256; i++) {
      UNSIGNED_BYTE_TO_UNIT[i] = i / 255f;
    }
  }

  private final byte[] pixels;
  private final int[] labels;
  /** Positions in {@code pixels}/{@code labels} of this set's examples, or null for all of them in order. */
  private final int[] index;
  private final int size;
  private final int rows;
  private final int cols;

  private LabelledImages(byte[] pixels, int[] labels, int[] index, int rows, int cols) {
    this.pixels = pixels;
    this.labels = labels;
    this.index = index;
    this.size = index == null ? labels.length : index.length;
    this.rows = rows;
    this.cols = cols;
  }

  /**
   * A set holding copies of {@code pixels} ({@code n * rows * cols} unsigned bytes, image after image, row-major)
   * and {@code labels} ({@code n} values, each in [0, 255]).
   */
  public static LabelledImages of(int rows, int cols, byte[] pixels, int[] labels) {
    return create(rows, cols, pixels.clone(), labels.clone());
  }

  /**
   * A set from an IDX image file ({@code [n, rows, cols]}) and an IDX label file ({@code [n]}), sharing their
   * values. {@code source} names them in errors.
   */
  public static LabelledImages fromIdx(IdxArray images, IdxArray labels, String source) {
    if (images.rank() != 3) {
      throw new IllegalArgumentException("images of " + source + " must have 3 dimensions [n, rows, cols], got "
          + Arrays.toString(images.dims()));
    }
    if (labels.rank() != 1) {
      throw new IllegalArgumentException(
          "labels of " + source + " must have 1 dimension [n], got " + Arrays.toString(labels.dims()));
    }
    if (images.dim(0) != labels.dim(0)) {
      throw new IllegalArgumentException(
          source + " has " + images.dim(0) + " images but " + labels.dim(0) + " labels");
    }
    byte[] raw = labels.backing();
    int[] ints = new int[raw.length];
    for (int i = 0; i < raw.length; i++) {
      ints[i] = raw[i] & 0xFF;
    }
    return create(images.dim(1), images.dim(2), images.backing(), ints);
  }

  private static LabelledImages create(int rows, int cols, byte[] pixels, int[] labels) {
    if (rows <= 0 || cols <= 0) {
      throw new IllegalArgumentException("images need rows and cols >= 1, got " + rows + "x" + cols);
    }
    if ((long) labels.length * rows * cols != pixels.length) {
      throw new IllegalArgumentException(labels.length + " images of " + rows + "x" + cols + " need "
          + (long) labels.length * rows * cols + " pixels, got " + pixels.length);
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] > 255) {
        throw new IllegalArgumentException("label " + i + " is " + labels[i] + ", outside [0, 255]");
      }
    }
    return new LabelledImages(pixels, labels, null, rows, cols);
  }

  /** Number of examples. */
  public int size() {
    return size;
  }

  /** Image height in pixels. */
  public int rows() {
    return rows;
  }

  /** Image width in pixels. */
  public int cols() {
    return cols;
  }

  /** Pixels per image: {@code rows * cols}. */
  public int pixelsPerImage() {
    return rows * cols;
  }

  /** The label of example {@code i}. */
  public int label(int i) {
    return labels[position(i)];
  }

  /** All labels in example order (a fresh array, for partitioners and statistics). */
  public int[] labels() {
    int[] out = new int[size];
    for (int i = 0; i < size; i++) {
      out[i] = labels[position(i)];
    }
    return out;
  }

  /** The largest label, or -1 for an empty set. */
  public int maxLabel() {
    int max = -1;
    for (int i = 0; i < size; i++) {
      max = Math.max(max, labels[position(i)]);
    }
    return max;
  }

  /** Pixel {@code p} (row-major, {@code 0 <= p < rows * cols}) of example {@code i}, as {@code x / 255}. */
  public float pixel(int i, int p) {
    if (p < 0 || p >= rows * cols) {
      throw new IndexOutOfBoundsException("pixel " + p + " of a " + rows + "x" + cols + " image");
    }
    return UNSIGNED_BYTE_TO_UNIT[pixels[position(i) * rows * cols + p] & 0xFF];
  }

  /** Writes the {@code rows * cols} pixels of example {@code i} as {@code x / 255} into {@code dst} at {@code offset}. */
  public void copyImage(int i, float[] dst, int offset) {
    int n = rows * cols;
    int from = position(i) * n;
    byte[] src = pixels;
    float[] table = UNSIGNED_BYTE_TO_UNIT;
    for (int p = 0; p < n; p++) {
      dst[offset + p] = table[src[from + p] & 0xFF];
    }
  }

  /**
   * The examples at {@code indices} (positions in this set, repeats allowed) in that order, sharing this set's
   * pixels and labels; {@code indices} is copied.
   */
  public LabelledImages subset(int[] indices) {
    int[] composed = new int[indices.length];
    for (int k = 0; k < indices.length; k++) {
      int i = indices[k];
      if (i < 0 || i >= size) {
        throw new IndexOutOfBoundsException("index " + i + " at position " + k + " is outside [0, " + size + ")");
      }
      composed[k] = position(i);
    }
    return new LabelledImages(pixels, labels, composed, rows, cols);
  }

  /** The first {@code n} examples (all of them if there are fewer), sharing this set's data. */
  public LabelledImages first(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    int[] head = new int[Math.min(n, size)];
    Arrays.setAll(head, i -> i);
    return subset(head);
  }

  /** The images as an IDX array of unsigned bytes {@code [n, rows, cols]}, for {@link IdxWriter}. */
  public IdxArray imagesIdx() {
    int n = rows * cols;
    if (index == null) {
      return IdxArray.wrap(new int[] {size, rows, cols}, pixels);
    }
    byte[] out = new byte[size * n];
    for (int i = 0; i < size; i++) {
      System.arraycopy(pixels, index[i] * n, out, i * n, n);
    }
    return IdxArray.wrap(new int[] {size, rows, cols}, out);
  }

  /** The labels as an IDX array of unsigned bytes {@code [n]}, for {@link IdxWriter}. */
  public IdxArray labelsIdx() {
    byte[] out = new byte[size];
    for (int i = 0; i < size; i++) {
      out[i] = (byte) labels[position(i)];
    }
    return IdxArray.wrap(new int[] {size}, out);
  }

  private int position(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("example " + i + " of " + size);
    }
    return index == null ? i : index[i];
  }

  @Override
  public String toString() {
    return "LabelledImages[" + size + " x " + rows + "x" + cols + "]";
  }
}
