package dev.flotilla.djl.data;

import dev.flotilla.core.FlotillaException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files of unsigned bytes (see {@link IdxArray} for the format), plain or gzip-compressed. Compression is
 * recognised by the gzip magic number {@code 1F 8B} at the start of the file, whatever the file is called, so
 * {@code train-images-idx3-ubyte.gz} and a decompressed {@code train-images-idx3-ubyte} read the same.
 *
 * <p>Stateless and thread-safe. Every failure is a {@link FlotillaException} whose message names the file and what
 * is wrong with it: missing, not IDX (bad magic number), an element type other than unsigned byte, or truncated.
 */
public final class IdxReader {
  private static final int GZIP_MAGIC = 0x1F8B;
  private static final int BUFFER_BYTES = 1 << 16;

  private IdxReader() {}

  /** Reads the whole file at {@code path} into memory. */
  public static IdxArray read(Path path) {
    try (InputStream in = open(path)) {
      return read(new DataInputStream(in), path.toString());
    } catch (NoSuchFileException e) {
      throw new FlotillaException("IDX file not found: " + path, e);
    } catch (IOException e) {
      throw new FlotillaException("cannot read IDX file " + path + ": " + e, e);
    }
  }

  /**
   * Reads one IDX array from {@code in}, which must already be decompressed; {@code source} names it in errors.
   * Reads exactly the header and the values; the caller owns and closes the stream.
   */
  public static IdxArray read(DataInputStream in, String source) throws IOException {
    int magic;
    try {
      magic = in.readInt();
    } catch (EOFException e) {
      throw new FlotillaException("not an IDX file: " + source + " is shorter than the 4-byte magic number");
    }
    int type = (magic >>> 8) & 0xFF;
    int rank = magic & 0xFF;
    if ((magic >>> 16) != 0 || rank == 0) {
      throw new FlotillaException(String.format(
          "not an IDX file: %s starts with magic number 0x%08X; IDX files start with 0x0000TTNN"
              + " (TT = element type, NN = number of dimensions >= 1)", source, magic));
    }
    if (type != IdxArray.UNSIGNED_BYTE) {
      throw new FlotillaException(String.format(
          "unsupported IDX element type 0x%02X in %s; only unsigned bytes (0x08) are supported", type, source));
    }
    int[] dims = new int[rank];
    long count = 1;
    try {
      for (int i = 0; i < rank; i++) {
        dims[i] = in.readInt();
        if (dims[i] < 0) {
          throw new FlotillaException("corrupt IDX file " + source + ": dimension " + i + " is " + dims[i]);
        }
        count *= dims[i];
      }
    } catch (EOFException e) {
      throw new FlotillaException("truncated IDX file " + source + ": the header promises " + rank
          + " dimensions but the file ends inside them");
    }
    if (count > Integer.MAX_VALUE - 8) {
      throw new FlotillaException("IDX file " + source + " has dimensions " + Arrays.toString(dims) + " = "
          + count + " values, more than one array can hold");
    }
    byte[] values = new byte[(int) count];
    int filled = readFully(in, values);
    if (filled < values.length) {
      throw new FlotillaException("truncated IDX file " + source + ": dimensions " + Arrays.toString(dims)
          + " need " + values.length + " bytes of values but the file holds only " + filled);
    }
    return IdxArray.wrap(dims, values);
  }

  /** Opens {@code path} for reading, through a gzip decoder if it starts with the gzip magic number. */
  static InputStream open(Path path) throws IOException {
    BufferedInputStream in = new BufferedInputStream(Files.newInputStream(path), BUFFER_BYTES);
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    if (((b0 << 8) | b1) == GZIP_MAGIC) {
      return new BufferedInputStream(new GZIPInputStream(in, BUFFER_BYTES), BUFFER_BYTES);
    }
    return in;
  }

  private static int readFully(InputStream in, byte[] dst) throws IOException {
    int filled = 0;
    while (filled < dst.length) {
      int n = in.read(dst, filled, dst.length - filled);
      if (n < 0) {
        break;
      }
      filled += n;
    }
    return filled;
  }
}
