package dev.flotilla.djl.data;

import dev.flotilla.core.FlotillaException;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes IDX files of unsigned bytes (see {@link IdxArray}) uncompressed, in the standard layout that
 * {@link IdxReader} and other IDX readers (such as the MNIST loaders of PyTorch and TensorFlow) accept.
 *
 * <p>Stateless and thread-safe. A file is written to a temporary sibling and then moved into place, so a reader
 * never sees half a file.
 */
public final class IdxWriter {
  private IdxWriter() {}

  /** Writes {@code array} to {@code path}, replacing any existing file; the parent directory must exist. */
  public static void write(Path path, IdxArray array) {
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    try {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
        write(new DataOutputStream(out), array);
      }
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new FlotillaException("cannot write IDX file " + path + ": " + e, e);
    }
  }

  /** Writes the header and values of {@code array} to {@code out}; the caller owns and closes the stream. */
  public static void write(DataOutputStream out, IdxArray array) throws IOException {
    out.writeInt((IdxArray.UNSIGNED_BYTE << 8) | array.rank());
    for (int i = 0; i < array.rank(); i++) {
      out.writeInt(array.dim(i));
    }
    out.write(array.backing());
    out.flush();
  }
}
