package dev.flotilla.core.tensor;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two loops every update goes through on a server: the search for NaN and infinity ({@link #firstNonFinite})
 * and the weighted fold of FedAvg ({@link #addScaled}), over float32 arrays or over little-endian float32 bytes as
 * they travel (a buffer of the transport's, heap or direct). Both give the same results, bit for bit, whichever
 * implementation runs.
 *
 * <p>Two implementations. The portable one is plain Java, shaped so that the JIT compiler keeps several independent
 * sums in flight. The other uses the incubating Vector API of JDK 17 ({@code jdk.incubator.vector}), which checks
 * a whole vector of values per instruction; it is used when the JVM was started with
 * {@code --add-modules jdk.incubator.vector} (as the {@code flotilla} launcher does), the optimising compiler (C2)
 * is there to compile it (Vector API code run by the C1 compiler or the interpreter is many times slower than plain
 * loops), and the system property {@code flotilla.vector} is not {@code false}. The Android runtime and JVMs without
 * the module use the portable one.
 */
public final class FloatKernels {
  private static final Logger log = LoggerFactory.getLogger(FloatKernels.class);

  /** The implementation in use, chosen once. */
  static final Impl IMPL = choose();

  private FloatKernels() {}

  /** What the kernels run on, for logs and benchmarks: {@code "vector (16 lanes)"} or {@code "portable"}. */
  public static String description() {
    return IMPL.description();
  }

  /**
   * Index of the first NaN or infinite value among {@code values[from, to)}, or -1 if they are all finite. Works in
   * blocks without a branch per value: {@code x * 0} is ±0 for a finite {@code x} and NaN otherwise, so a block's
   * sum of them is 0 exactly when the block is finite; only a block with a non-finite value is searched value by
   * value.
   */
  public static int firstNonFinite(float[] values, int from, int to) {
    Objects.checkFromToIndex(from, to, values.length);
    return IMPL.firstNonFinite(values, from, to);
  }

  /**
   * {@code acc[i] += w * x[i]} for every {@code i}, each product rounded to float before the sum, as in plain Java
   * (no fused multiply-add), so both implementations give the same bits.
   *
   * @throws IllegalArgumentException if the arrays' lengths differ
   */
  public static void addScaled(float[] acc, float[] x, float w) {
    if (acc.length != x.length) {
      throw new IllegalArgumentException("accumulator of " + acc.length + " values for " + x.length + " values");
    }
    IMPL.addScaled(acc, x, w);
  }

  /**
   * {@link #firstNonFinite(float[], int, int)} over the little-endian floats between {@code bytes}' position and
   * limit, counted from the position; the buffer's position, limit and byte order are left as they are.
   *
   * @throws IllegalArgumentException if the bytes are not a whole number of floats
   */
  public static int firstNonFinite(ByteBuffer bytes) {
    return IMPL.firstNonFinite(bytes, bytes.position(), floatsIn(bytes));
  }

  /**
   * {@code acc[at + i] += w * x[i]} for the little-endian floats {@code x} between {@code bytes}' position and limit,
   * rounded as {@link #addScaled(float[], float[], float)}; the buffer's position, limit and order are left as they
   * are.
   *
   * @throws IllegalArgumentException if the bytes are not a whole number of floats
   * @throws IndexOutOfBoundsException if they do not fit in {@code acc} from {@code at}
   */
  public static void addScaled(float[] acc, int at, ByteBuffer bytes, float w) {
    int count = floatsIn(bytes);
    Objects.checkFromIndexSize(at, count, acc.length);
    IMPL.addScaled(acc, at, bytes, bytes.position(), count, w);
  }

  private static int floatsIn(ByteBuffer bytes) {
    if ((bytes.remaining() & 3) != 0) {
      throw new IllegalArgumentException(bytes.remaining() + " bytes are not a whole number of float32 values");
    }
    return bytes.remaining() >>> 2;
  }

  /** One implementation of the kernels; arguments are checked by the caller. Byte offsets are absolute. */
  interface Impl {
    String description();

    int firstNonFinite(float[] values, int from, int to);

    void addScaled(float[] acc, float[] x, float w);

    int firstNonFinite(ByteBuffer bytes, int offset, int count);

    void addScaled(float[] acc, int at, ByteBuffer bytes, int offset, int count, float w);
  }

  private static Impl choose() {
    if ("false".equalsIgnoreCase(System.getProperty("flotilla.vector"))) {
      return Portable.INSTANCE;
    }
    try {
      if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty() || !optimisingCompiler()) {
        return Portable.INSTANCE;
      }
      return (Impl) Class.forName("dev.flotilla.core.tensor.VectorKernels").getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) { // a runtime without modules or the Vector API
      log.debug("using the portable float kernels: {}", e.toString());
      return Portable.INSTANCE;
    }
  }

  /** Whether C2 compiles hot code: not with {@code -XX:TieredStopAtLevel} below 4, {@code -Xint} or C1 alone. */
  private static boolean optimisingCompiler() {
    try {
      String vm = System.getProperty("java.vm.info", "");
      if (vm.contains("interpreted mode")) {
        return false;
      }
      var hotspot = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
      if (hotspot == null) {
        return false;
      }
      boolean tiered = Boolean.parseBoolean(hotspot.getVMOption("TieredCompilation").getValue());
      int stop = Integer.parseInt(hotspot.getVMOption("TieredStopAtLevel").getValue());
      return !tiered || stop >= 4;
    } catch (RuntimeException | LinkageError e) {
      return false; // not HotSpot, or no management: assume the worst
    }
  }

  /** Plain Java, for every JVM. */
  static final class Portable implements Impl {
    static final Portable INSTANCE = new Portable();
    private static final int BLOCK = 4096;
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[BLOCK]);

    @Override
    public String description() {
      return "portable";
    }

    /**
     * Eight independent sums keep the floating-point units busy (about 2.5 times the speed of one chain of integer
     * tests, which Java 17's compiler does not vectorise either).
     */
    @Override
    public int firstNonFinite(float[] values, int from, int to) {
      for (int start = from; start < to; start += BLOCK) {
        int end = Math.min(to, start + BLOCK);
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        float s4 = 0;
        float s5 = 0;
        float s6 = 0;
        float s7 = 0;
        int i = start;
        for (; i + 8 <= end; i += 8) {
          s0 += values[i] * 0f;
          s1 += values[i + 1] * 0f;
          s2 += values[i + 2] * 0f;
          s3 += values[i + 3] * 0f;
          s4 += values[i + 4] * 0f;
          s5 += values[i + 5] * 0f;
          s6 += values[i + 6] * 0f;
          s7 += values[i + 7] * 0f;
        }
        for (; i < end; i++) {
          s0 += values[i] * 0f;
        }
        if (s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 != 0f) {
          return searchBlock(values, start, end);
        }
      }
      return -1;
    }

    @Override
    public void addScaled(float[] acc, float[] x, float w) {
      for (int i = 0; i < acc.length; i++) {
        acc[i] += w * x[i];
      }
    }

    /** Block by block through a small per-thread array: the bulk copy of a block, then the loops above. */
    @Override
    public int firstNonFinite(ByteBuffer bytes, int offset, int count) {
      FloatBuffer floats = floatView(bytes, offset, count);
      float[] block = SCRATCH.get();
      for (int start = 0; start < count; start += BLOCK) {
        int n = Math.min(BLOCK, count - start);
        floats.get(start, block, 0, n);
        int bad = firstNonFinite(block, 0, n);
        if (bad >= 0) {
          return start + bad;
        }
      }
      return -1;
    }

    @Override
    public void addScaled(float[] acc, int at, ByteBuffer bytes, int offset, int count, float w) {
      FloatBuffer floats = floatView(bytes, offset, count);
      float[] block = SCRATCH.get();
      for (int start = 0; start < count; start += BLOCK) {
        int n = Math.min(BLOCK, count - start);
        floats.get(start, block, 0, n);
        int base = at + start;
        for (int i = 0; i < n; i++) {
          acc[base + i] += w * block[i];
        }
      }
    }

    private static FloatBuffer floatView(ByteBuffer bytes, int offset, int count) {
      return bytes.duplicate().limit(offset + 4 * count).position(offset).slice().order(ByteOrder.LITTLE_ENDIAN)
          .asFloatBuffer();
    }
  }

  /** The index of the first non-finite value in {@code values[from, to)}, which has one. */
  static int searchBlock(float[] values, int from, int to) {
    for (int i = from; i < to; i++) {
      if (!Float.isFinite(values[i])) {
        return i;
      }
    }
    throw new IllegalStateException("a block whose sum of x * 0 is not 0 has only finite values");
  }
}
