package dev.flotilla.workflow.io;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes model weights in the <a href="https://github.com/huggingface/safetensors">safetensors</a> format,
 * which PyTorch, NumPy and JAX users can load directly: an 8-byte little-endian header length {@code N}, {@code N}
 * bytes of UTF-8 JSON ({@code {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...,
 * "__metadata__": {...}}}) padded with spaces to a multiple of 8, then the raw little-endian values.
 *
 * <p>Values stream through a small buffer in both directions, so a model of any size is never held twice in memory.
 * Stateless and thread-safe.
 */
public final class SafeTensors {
  /** Largest header accepted, as in the reference implementation: guards against allocating for a garbage length. */
  static final long MAX_HEADER_BYTES = 100_000_000;
  private static final int CHUNK_BYTES = 1 << 20;

  private SafeTensors() {}

  /** Writes {@code weights} to {@code file} without metadata; see {@link #write(Path, ModelWeights, Map)}. */
  public static void write(Path file, ModelWeights weights) throws IOException {
    write(file, weights, Map.of());
  }

  /**
   * Writes {@code weights} to {@code file}, tensors in model order, with optional {@code "__metadata__"} entries
   * (such as the round and the strategy that produced a checkpoint). The bytes go to a temporary file in the same
   * directory, are forced to disk and then moved over {@code file} atomically, so a reader sees either the old
   * file or the complete new one, never a partial write.
   *
   * @throws IllegalArgumentException if a tensor is named {@code "__metadata__"}
   * @throws IOException if the directory does not exist or writing fails; the temporary file is then removed
   */
  public static void write(Path file, ModelWeights weights, Map<String, String> metadata) throws IOException {
    byte[] header = SafeTensorsHeader.encode(weights, metadata);
    Path absolute = file.toAbsolutePath();
    Path temp = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName() + ".", ".tmp");
    boolean moved = false;
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
        writeFully(channel, length);
        writeFully(channel, ByteBuffer.wrap(header));
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor t : weights.tensors()) {
          for (int from = 0; from < t.size(); from += CHUNK_BYTES / 4) {
            buffer.clear();
            t.writeLittleEndian(buffer, from, Math.min(CHUNK_BYTES / 4, t.size() - from));
            buffer.flip();
            writeFully(channel, buffer);
          }
        }
        channel.force(true);
      }
      try {
        Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
      }
      moved = true;
    } finally {
      if (!moved) {
        Files.deleteIfExists(temp);
      }
    }
  }

  /**
   * Reads the weights in {@code file}, in the order of their data (which is model order for files this class
   * writes, and the order the writer chose for others).
   *
   * @throws FlotillaException naming the file and the problem if it is not a valid safetensors file of F32 tensors:
   *     too short, a header length beyond the file, header not UTF-8 JSON, a dtype other than F32, a shape that does
   *     not match its byte range, byte ranges with gaps, overlaps or past the end, or trailing bytes
   * @throws IOException if the file cannot be read
   */
  public static ModelWeights read(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long headerLength = headerLength(file, channel);
      SafeTensorsHeader header = readHeader(file, channel, headerLength);
      long dataStart = 8 + headerLength;
      List<Tensor> tensors = new ArrayList<>(header.tensors().size());
      ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      for (SafeTensorsHeader.Entry entry : header.tensors()) {
        float[] values = new float[entry.spec().size()];
        long position = dataStart + entry.begin();
        for (int from = 0; from < values.length; from += CHUNK_BYTES / 4) {
          int count = Math.min(CHUNK_BYTES / 4, values.length - from);
          buffer.clear().limit(4 * count);
          readFully(file, channel, buffer, position);
          position += 4L * count;
          buffer.flip();
          buffer.asFloatBuffer().get(values, from, count);
        }
        tensors.add(Tensor.wrap(entry.spec(), values));
      }
      return ModelWeights.of(tensors);
    }
  }

  /**
   * The {@code "__metadata__"} entries of {@code file}, empty if it has none. Reads and validates only the header.
   *
   * @throws FlotillaException if the header is invalid, as for {@link #read}
   * @throws IOException if the file cannot be read
   */
  public static Map<String, String> readMetadata(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return readHeader(file, channel, headerLength(file, channel)).metadata();
    }
  }

  private static SafeTensorsHeader readHeader(Path file, FileChannel channel, long headerLength)
      throws IOException {
    ByteBuffer bytes = ByteBuffer.allocate((int) headerLength);
    readFully(file, channel, bytes, 8);
    bytes.flip();
    try {
      String json = StandardCharsets.UTF_8.newDecoder().decode(bytes).toString();
      return SafeTensorsHeader.decode(json, channel.size() - 8 - headerLength);
    } catch (CharacterCodingException e) {
      throw new FlotillaException("safetensors file " + file + " has a header that is not UTF-8", e);
    } catch (FlotillaException e) {
      throw new FlotillaException("safetensors file " + file + " is invalid: " + e.getMessage(), e);
    }
  }

  private static long headerLength(Path file, FileChannel channel) throws IOException {
    long size = channel.size();
    if (size < 8) {
      throw new FlotillaException(
          "safetensors file " + file + " is " + size + " bytes long, too short for its 8-byte header length");
    }
    ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(file, channel, length, 0);
    long n = length.getLong(0);
    if (n < 2 || n > size - 8 || n > MAX_HEADER_BYTES) {
      throw new FlotillaException("safetensors file " + file + " declares a header of " + n + " bytes, but the file"
          + " has " + (size - 8) + " bytes after the length (and at most " + MAX_HEADER_BYTES + " are allowed)");
    }
    return n;
  }

  private static void readFully(Path file, FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, position);
      if (n < 0) {
        throw new EOFException("safetensors file " + file + " ended at byte " + position + " while reading");
      }
      position += n;
    }
  }

  private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }
}
