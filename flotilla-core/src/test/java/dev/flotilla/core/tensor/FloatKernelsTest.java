package dev.flotilla.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FloatKernelsTest {
  private static final List<FloatKernels.Impl> BOTH = List.of(FloatKernels.Portable.INSTANCE, new VectorKernels());
  private static final int[] SIZES = {0, 1, 7, 15, 16, 17, 31, 33, 4095, 4096, 4097, 8192 + 5, 20_011};

  @Test
  void theBuildRunsItsTestsWithTheVectorKernels() {
    // The build starts test JVMs with --add-modules jdk.incubator.vector and C2, as the launcher starts a server.
    assertThat(FloatKernels.description()).matches("vector \\(\\d+ lanes\\)");
    assertThat(FloatKernels.Portable.INSTANCE.description()).isEqualTo("portable");
  }

  @Test
  void theVectorKernelsAreNotChosenWithoutTheModuleOrWithoutC2() throws Exception {
    assertThat(kernelsOf("--add-modules", "jdk.incubator.vector")).matches("vector \\(\\d+ lanes\\)");
    assertThat(kernelsOf()).isEqualTo("portable");
    assertThat(kernelsOf("--add-modules", "jdk.incubator.vector", "-XX:TieredStopAtLevel=1")).isEqualTo("portable");
    assertThat(kernelsOf("--add-modules", "jdk.incubator.vector", "-Dflotilla.vector=false")).isEqualTo("portable");
  }

  /** What {@link FloatKernels#description()} says in a fresh JVM started with {@code options}. */
  private static String kernelsOf(String... options) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(options));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), PrintKernels.class.getName()));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor()).as("exit code of %s", command).isZero();
    return out;
  }

  /** Prints the kernels' description: run by {@link #kernelsOf}. */
  static final class PrintKernels {
    public static void main(String[] args) {
      System.out.println(FloatKernels.description());
    }
  }

  @Test
  void bothFindTheFirstNonFiniteValueWhereverItIs() {
    float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0x7fc00001)};
    SplittableRandom random = new SplittableRandom(7);
    for (FloatKernels.Impl k : BOTH) {
      for (int n : SIZES) {
        float[] v = finite(random, n);
        assertThat(k.firstNonFinite(v, 0, n)).as("%s, %d finite values", k.description(), n).isEqualTo(-1);
        for (int at : new int[] {0, 1, n / 2, n - 17, n - 16, n - 1, 4095, 4096, 4097}) {
          if (at < 0 || at >= n) {
            continue;
          }
          for (float b : bad) {
            float keep = v[at];
            v[at] = b;
            if (at + 3 < n) {
              v[at + 3] = Float.NaN; // a later one must not be reported instead
            }
            assertThat(k.firstNonFinite(v, 0, n)).as("%s, %s at %d of %d", k.description(), b, at, n).isEqualTo(at);
            assertThat(k.firstNonFinite(v, at + 1, n)).as("after it").isEqualTo(at + 3 < n ? at + 3 : -1);
            assertThat(k.firstNonFinite(v, 0, at)).as("before it").isEqualTo(-1);
            v[at] = keep;
            if (at + 3 < n) {
              v[at + 3] = 0.5f;
            }
          }
        }
      }
    }
  }

  @Test
  void bothFoldBitForBitAsPlainJava() {
    SplittableRandom random = new SplittableRandom(11);
    for (int n : SIZES) {
      float[] x = finite(random, n);
      float[] start = finite(random, n);
      float w = (float) random.nextDouble(0.01, 3);
      float[] expected = start.clone();
      for (int i = 0; i < n; i++) {
        expected[i] += w * x[i]; // rounded product, then rounded sum: no fused multiply-add
      }
      for (FloatKernels.Impl k : BOTH) {
        float[] acc = start.clone();
        k.addScaled(acc, x, w);
        for (int i = 0; i < n; i++) {
          assertThat(Float.floatToRawIntBits(acc[i])).as("%s, value %d of %d", k.description(), i, n)
              .isEqualTo(Float.floatToRawIntBits(expected[i]));
        }
      }
    }
  }

  @Test
  void bothReadLittleEndianBytesAsTheyReadArraysInHeapAndDirectBuffersAtAnyOffset() {
    SplittableRandom random = new SplittableRandom(13);
    for (int n : SIZES) {
      float[] x = finite(random, n);
      float[] start = finite(random, n + 9);
      float w = (float) random.nextDouble(0.01, 3);
      for (boolean direct : new boolean[] {false, true}) {
        for (int lead : new int[] {0, 1, 5}) { // bytes before the floats: views at unaligned offsets
          ByteBuffer bytes = littleEndian(x, lead, direct);
          for (FloatKernels.Impl k : BOTH) {
            String what = k.description() + (direct ? ", direct" : ", heap") + ", lead " + lead + ", " + n + " floats";
            float[] expected = start.clone();
            for (int i = 0; i < n; i++) {
              expected[4 + i] += w * x[i];
            }
            float[] acc = start.clone();
            k.addScaled(acc, 4, bytes, lead, n, w);
            assertThat(acc).as(what).containsExactly(expected);
            assertThat(bytes.position()).as(what).isZero();
            assertThat(k.firstNonFinite(bytes, lead, n)).as(what).isEqualTo(-1);
            ByteBuffer le = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            for (int at : new int[] {0, n / 3, n - 1, 4096}) {
              if (at >= 0 && at < n) {
                le.putFloat(lead + 4 * at, Float.NaN);
                assertThat(k.firstNonFinite(bytes, lead, n)).as("%s, NaN at %d", what, at).isEqualTo(at);
                le.putFloat(lead + 4 * at, x[at]);
              }
            }
          }
        }
      }
    }
  }

  @Test
  void bytesThatAreNotWholeFloatsOrDoNotFitAreRefused() {
    ByteBuffer seven = ByteBuffer.allocate(7);
    assertThatThrownBy(() -> FloatKernels.firstNonFinite(seven))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("7 bytes are not a whole number of float32 values");
    assertThatThrownBy(() -> FloatKernels.addScaled(new float[1], 0, ByteBuffer.allocate(8), 1f))
        .isInstanceOf(IndexOutOfBoundsException.class);
    ByteBuffer two = littleEndian(new float[] {1f, Float.POSITIVE_INFINITY}, 0, false);
    assertThat(FloatKernels.firstNonFinite(two)).isEqualTo(1);
    float[] acc = {1f, 1f, 1f};
    FloatKernels.addScaled(acc, 1, two.limit(4), 2f);
    assertThat(acc).containsExactly(1f, 3f, 1f);
  }

  @Test
  void arraysOfDifferentLengthsAreRefusedByName() {
    assertThatThrownBy(() -> FloatKernels.addScaled(new float[3], new float[4], 1f))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("accumulator of 3 values for 4 values");
    assertThatThrownBy(() -> FloatKernels.firstNonFinite(new float[3], 2, 4))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  private static ByteBuffer littleEndian(float[] x, int lead, boolean direct) {
    ByteBuffer b = (direct ? ByteBuffer.allocateDirect(lead + 4 * x.length) : ByteBuffer.allocate(lead + 4 * x.length))
        .order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < x.length; i++) {
      b.putFloat(lead + 4 * i, x[i]);
    }
    return b.order(ByteOrder.BIG_ENDIAN); // the kernels must not depend on the buffer's own order
  }

  /** Finite values of every kind: negative zeros, subnormals, large and small magnitudes. */
  private static float[] finite(SplittableRandom random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = switch (random.nextInt(6)) {
        case 0 -> -0f;
        case 1 -> Float.MIN_VALUE * random.nextInt(1, 1000);
        case 2 -> (float) random.nextDouble(-3e38, 3e38);
        default -> (float) random.nextGaussian();
      };
    }
    return v;
  }
}
