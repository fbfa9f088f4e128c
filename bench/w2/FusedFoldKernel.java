import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A measuring experiment for W2, not Flotilla code: how fast one thread can take K uploads of P float32 parameters,
 * arriving as 256 KiB chunks of little-endian bytes, into FedAvg's running float32 mean, against the copy of the same
 * bytes. Eight ways, each over the same data, best of 15 operations per line:
 * <ul>
 *   <li>{@code copy}: {@code System.arraycopy} of every chunk into one model-sized array (W2's ceiling);
 *   <li>{@code decodeThenFold}: what a server does today: per chunk a CRC32 and the conversion into the upload's own
 *       fresh {@code float[]}, a NaN/infinity check of the upload, then the fold {@code acc[i] += w * x[i]};
 *   <li>{@code fusedVector}: the upload folded chunk by chunk as it arrives, with no array of its own: per chunk the
 *       CRC32, then one pass of the incubating Vector API that loads the floats from the bytes, checks them and
 *       adds them into the accumulator while the chunk is in cache;
 *   <li>{@code foldAtEnd}: every chunk's CRC32 as it arrives, and the same vector loop over all the upload's chunks
 *       only once the upload is complete (as a server must do to drop a bad upload whole): the bytes are read from
 *       memory a second time;
 *   <li>{@code copyThenFold}: as {@code foldAtEnd}, but the chunks first copied into one array per upload (what a
 *       decoder that cannot keep the transport's buffers would do);
 *   <li>{@code decodeVecCheckThenVecFold}: as {@code decodeThenFold}, with the NaN/infinity check made by vectors on
 *       each chunk's floats as they are decoded, and the fold by vectors (the server's path with its float kernels);
 *   <li>{@code decodeThenVecFold}: the same without any check (a bound: what the check costs);
 *   <li>{@code foldAtEndDirect}: {@code foldAtEnd} with the chunks in direct buffers, as gRPC's Netty transport
 *       lends them.
 * </ul>
 * Run from the repository with JDK 17:
 * <pre>
 * java --add-modules jdk.incubator.vector -Xms12g -Xmx12g -XX:+AlwaysPreTouch bench/w2/FusedFoldKernel.java 10 1000000
 * </pre>
 */
public class FusedFoldKernel {
  private static final int CHUNK = 256 * 1024;
  private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
  private static byte[][][] uploads;
  private static ByteBuffer[][] direct; // the same chunks in direct memory, as gRPC's Netty transport lends them
  private static byte[] copied;
  private static float[] acc;
  private static long sink;

  public static void main(String[] args) {
    int k;
    int p;
    try {
      k = args.length > 0 ? Integer.parseInt(args[0]) : 10;
      p = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    } catch (NumberFormatException e) {
      k = -1;
      p = -1;
    }
    if (k < 1 || p < 1 || p % FS.length() != 0) {
      System.err.println("usage: FusedFoldKernel K P (K >= 1 uploads, P >= 1 parameters, a multiple of "
          + FS.length() + "); got " + String.join(" ", args));
      System.exit(2);
    }
    Random random = new Random(1);
    uploads = new byte[k][][];
    for (int u = 0; u < k; u++) {
      ByteBuffer all = ByteBuffer.allocate(4 * p).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < p; i++) {
        all.putFloat((float) random.nextGaussian());
      }
      int chunks = (4 * p + CHUNK - 1) / CHUNK;
      uploads[u] = new byte[chunks][];
      for (int c = 0; c < chunks; c++) {
        uploads[u][c] = Arrays.copyOfRange(all.array(), c * CHUNK, Math.min(4 * p, (c + 1) * CHUNK));
      }
    }
    direct = new ByteBuffer[k][];
    for (int u = 0; u < k; u++) {
      direct[u] = new ByteBuffer[uploads[u].length];
      for (int c = 0; c < uploads[u].length; c++) {
        direct[u][c] = ByteBuffer.allocateDirect(uploads[u][c].length).put(uploads[u][c]).flip();
      }
    }
    copied = new byte[4 * p];
    acc = new float[p];
    System.out.printf("K = %d, P = %,d, %d-lane float vectors; GB/s of client data (K x P x 4 bytes)%n", k, p,
        FS.length());
    String[] names = {"copy", "decodeThenFold", "fusedVector", "foldAtEnd", "copyThenFold", "decodeVecCheckThenVecFold",
        "decodeThenVecFold", "foldAtEndDirect"};
    for (int line = 0; line < 5; line++) {
      StringBuilder out = new StringBuilder();
      for (int way = 0; way < names.length; way++) {
        long best = Long.MAX_VALUE;
        for (int op = 0; op < 15; op++) {
          long start = System.nanoTime();
          switch (way) {
            case 0 -> copy();
            case 1 -> decodeThenFold(p);
            case 2 -> fusedVector();
            case 3 -> foldAtEnd();
            case 4 -> copyThenFold(p);
            case 5 -> decodeVecCheckThenVecFold(p, true);
            case 6 -> decodeVecCheckThenVecFold(p, false);
            default -> foldAtEndDirect();
          }
          best = Math.min(best, System.nanoTime() - start);
        }
        out.append(String.format("%s %.1f   ", names[way], 4.0 * k * p / best));
      }
      System.out.println(out.toString().trim());
    }
    System.out.println("(" + sink + ")");
  }

  private static void copy() {
    for (byte[][] upload : uploads) {
      int at = 0;
      for (byte[] chunk : upload) {
        System.arraycopy(chunk, 0, copied, at, chunk.length);
        at += chunk.length;
      }
    }
  }

  private static void decodeThenFold(int p) {
    CRC32 crc = new CRC32();
    for (byte[][] upload : uploads) {
      float[] x = new float[p];
      int at = 0;
      for (byte[] chunk : upload) {
        crc.update(chunk, 0, chunk.length);
        ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(x, at, chunk.length / 4);
        at += chunk.length / 4;
      }
      float s0 = 0;
      float s1 = 0;
      float s2 = 0;
      float s3 = 0;
      for (int i = 0; i + 4 <= p; i += 4) { // the server's finite check: x * 0 is 0 for finite x, NaN otherwise
        s0 += x[i] * 0;
        s1 += x[i + 1] * 0;
        s2 += x[i + 2] * 0;
        s3 += x[i + 3] * 0;
      }
      sink += crc.getValue() + (s0 + s1 + s2 + s3 == 0 ? 1 : 0);
      float w = 0.1f;
      for (int i = 0; i < p; i++) {
        acc[i] += w * x[i];
      }
    }
  }

  private static void decodeVecCheckThenVecFold(int p, boolean check) {
    CRC32 crc = new CRC32();
    for (byte[][] upload : uploads) {
      float[] x = new float[p];
      int at = 0;
      float checks = 0;
      for (byte[] chunk : upload) {
        crc.update(chunk, 0, chunk.length);
        ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(x, at, chunk.length / 4);
        if (check) {
          checks += check(x, at, chunk.length / 4);
        }
        at += chunk.length / 4;
      }
      sink += crc.getValue() + (checks == 0 ? 1 : 0);
      FloatVector w = FloatVector.broadcast(FS, 0.1f);
      for (int i = 0; i + FS.length() <= p; i += FS.length()) {
        FloatVector.fromArray(FS, x, i).fma(w, FloatVector.fromArray(FS, acc, i)).intoArray(acc, i);
      }
    }
  }

  private static float check(float[] x, int from, int count) {
    FloatVector check = FloatVector.zero(FS);
    for (int i = from; i + FS.length() <= from + count; i += FS.length()) {
      check = check.add(FloatVector.fromArray(FS, x, i).mul(0f));
    }
    return check.reduceLanes(VectorOperators.ADD);
  }

  private static void fusedVector() {
    CRC32 crc = new CRC32();
    FloatVector w = FloatVector.broadcast(FS, 0.1f);
    for (byte[][] upload : uploads) {
      int at = 0;
      float checks = 0;
      for (byte[] chunk : upload) {
        crc.update(chunk, 0, chunk.length);
        checks += fold(chunk, 0, chunk.length / 4, at, w);
        at += chunk.length / 4;
      }
      sink += crc.getValue() + (checks == 0 ? 1 : 0);
    }
  }

  private static void foldAtEnd() {
    CRC32 crc = new CRC32();
    FloatVector w = FloatVector.broadcast(FS, 0.1f);
    for (byte[][] upload : uploads) {
      for (byte[] chunk : upload) {
        crc.update(chunk, 0, chunk.length);
      }
      float checks = 0;
      int at = 0;
      for (byte[] chunk : upload) {
        checks += fold(chunk, 0, chunk.length / 4, at, w);
        at += chunk.length / 4;
      }
      sink += crc.getValue() + (checks == 0 ? 1 : 0);
    }
  }

  private static void foldAtEndDirect() {
    CRC32 crc = new CRC32();
    FloatVector w = FloatVector.broadcast(FS, 0.1f);
    for (ByteBuffer[] upload : direct) {
      for (ByteBuffer chunk : upload) {
        crc.update(chunk.duplicate());
      }
      float checks = 0;
      int at = 0;
      for (ByteBuffer chunk : upload) {
        checks += fold(chunk, chunk.remaining() / 4, at, w);
        at += chunk.remaining() / 4;
      }
      sink += crc.getValue() + (checks == 0 ? 1 : 0);
    }
  }

  /** {@link #fold(byte[], int, int, int, FloatVector)} from a (direct) buffer's bytes, from its position. */
  private static float fold(ByteBuffer bytes, int count, int accAt, FloatVector w) {
    FloatVector check = FloatVector.zero(FS);
    int base = bytes.position();
    for (int i = 0; i + FS.length() <= count; i += FS.length()) {
      FloatVector v = FloatVector.fromByteBuffer(FS, bytes, base + 4 * i, ByteOrder.LITTLE_ENDIAN);
      check = check.add(v.mul(0f));
      v.fma(w, FloatVector.fromArray(FS, acc, accAt + i)).intoArray(acc, accAt + i);
    }
    return check.reduceLanes(VectorOperators.ADD);
  }

  private static void copyThenFold(int p) {
    CRC32 crc = new CRC32();
    FloatVector w = FloatVector.broadcast(FS, 0.1f);
    int block = CHUNK / 4;
    for (byte[][] upload : uploads) {
      byte[] all = new byte[4 * p];
      int offset = 0;
      for (byte[] chunk : upload) {
        crc.update(chunk, 0, chunk.length);
        System.arraycopy(chunk, 0, all, offset, chunk.length);
        offset += chunk.length;
      }
      float checks = 0;
      for (int at = 0; at < p; at += block) {
        checks += fold(all, 4 * at, Math.min(block, p - at), at, w);
      }
      sink += crc.getValue() + (checks == 0 ? 1 : 0);
    }
  }

  /**
   * Adds {@code count} little-endian floats of {@code bytes} from {@code offset} times {@code w} into {@code acc} from
   * {@code accAt}; returns the sum of {@code x * 0} over them, 0 if all are finite. {@code count} is a multiple of
   * the lanes. The check vector lives only inside this loop: one kept across an outer loop (a loop phi) is boxed on
   * every iteration by Java 17's Vector API, which made the kernel three times slower.
   */
  private static float fold(byte[] bytes, int offset, int count, int accAt, FloatVector w) {
    FloatVector check = FloatVector.zero(FS);
    for (int i = 0; i + FS.length() <= count; i += FS.length()) {
      FloatVector v = FloatVector.fromByteArray(FS, bytes, offset + 4 * i, ByteOrder.LITTLE_ENDIAN);
      check = check.add(v.mul(0f));
      v.fma(w, FloatVector.fromArray(FS, acc, accAt + i)).intoArray(acc, accAt + i);
    }
    return check.reduceLanes(VectorOperators.ADD);
  }
}
