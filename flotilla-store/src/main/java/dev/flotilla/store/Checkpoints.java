package dev.flotilla.store;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.workflow.io.SafeTensors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The files of checkpoints under a state folder: {@code runs/RUN/round-00005.model.safetensors} (the global model
 * after round 5) and {@code runs/RUN/round-00005.state.safetensors} (the strategy's arrays, when it has any). Each
 * file is written to a temporary file in the same folder, forced to disk, moved over its name atomically and the
 * folder forced too, so that after a crash at any point a checkpoint file is either absent, the old one, or complete.
 * A file is known by its path relative to the state folder and its SHA-256, which the database keeps and
 * {@link #read} checks.
 *
 * <p>Thread-safe: it keeps no state of its own.
 */
public final class Checkpoints {
  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

  private final Path stateDir;

  /** Checkpoints under {@code stateDir}. */
  public Checkpoints(Path stateDir) {
    this.stateDir = stateDir.toAbsolutePath();
  }

  /** A file written: its path relative to the state folder, its SHA-256 in hex and its size in bytes. */
  public record StoredFile(String relativePath, String sha256, long bytes) {}

  /**
   * Whether {@code runId} can name a run: 1 to 200 letters, digits, dots, dashes and underscores, not starting with
   * a dot, dash or underscore (it names a folder).
   */
  public static boolean isValidRunId(String runId) {
    return runId != null && RUN_ID.matcher(runId).matches();
  }

  /**
   * Writes {@code arrays} as the {@code kind} file ({@code model} or {@code state}) of round {@code round} of run
   * {@code runId}, atomically, replacing a file of an earlier attempt at that round.
   *
   * @throws IOException if the file cannot be written; no partial file is left under the final name
   */
  public StoredFile write(String runId, int round, String kind, ModelWeights arrays) throws IOException {
    if (!isValidRunId(runId)) {
      throw new IllegalArgumentException("run id '" + runId + "' is not a valid folder name");
    }
    Path dir = stateDir.resolve("runs").resolve(runId);
    Files.createDirectories(dir);
    Path file = dir.resolve(String.format("round-%05d.%s.safetensors", round, kind));
    SafeTensors.write(file, arrays, Map.of("run", runId, "round", Integer.toString(round), "kind", kind));
    forceDirectory(dir); // the rename itself survives a crash of the machine
    return new StoredFile(stateDir.relativize(file).toString(), sha256(file), Files.size(file));
  }

  /**
   * Reads a file that {@link #write} wrote, checking it against {@code expectedSha256}.
   *
   * @throws FlotillaException naming the file if it is missing, changed since it was written, or not a model file
   * @throws IOException if it cannot be read
   */
  public ModelWeights read(String relativePath, String expectedSha256) throws IOException {
    Path file = stateDir.resolve(relativePath);
    if (!Files.isRegularFile(file)) {
      throw new FlotillaException("checkpoint file " + file + " is missing");
    }
    String actual = sha256(file);
    if (!actual.equals(expectedSha256)) {
      throw new FlotillaException("checkpoint file " + file + " has SHA-256 " + actual + ", not the "
          + expectedSha256 + " it had when written: it was changed or damaged");
    }
    return SafeTensors.read(file);
  }

  /**
   * Deletes the temporary files that writes of run {@code runId} left when the process was killed in the middle of
   * one (a complete checkpoint is never among them); returns how many there were.
   *
   * @throws IOException if the folder cannot be listed or a file deleted
   */
  public int removeUnfinishedWrites(String runId) throws IOException {
    if (!isValidRunId(runId)) {
      throw new IllegalArgumentException("run id '" + runId + "' is not a valid folder name");
    }
    Path dir = stateDir.resolve("runs").resolve(runId);
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    int removed = 0;
    try (var files = Files.newDirectoryStream(dir, ".round-*.safetensors.*.tmp")) {
      for (Path file : files) {
        Files.deleteIfExists(file);
        removed++;
      }
    }
    return removed;
  }

  /** The absolute path of a file known by its path relative to the state folder. */
  public Path resolve(String relativePath) {
    return stateDir.resolve(relativePath);
  }

  private static void forceDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // some file systems cannot open or force a folder; the file itself is on disk already
    }
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
