package dev.flotilla.core.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FloatKernels} with the incubating Vector API, in the widest vectors the processor has. Loaded by reflection
 * only when the module is there; nothing else refers to this class.
 *
 * <p>Each vector lives inside one loop: a vector kept across an outer loop is boxed on every iteration by Java 17's
 * implementation, which made such a loop three times slower (BENCHMARKS.md, W2).
 */
final class VectorKernels implements FloatKernels.Impl {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int BLOCK = 4096;

  @Override
  public String description() {
    return "vector (" + S.length() + " lanes)";
  }

  @Override
  public int firstNonFinite(float[] values, int from, int to) {
    for (int start = from; start < to; start += BLOCK) {
      int end = Math.min(to, start + BLOCK);
      if (blockCheck(values, start, end) != 0f) {
        return FloatKernels.searchBlock(values, start, end);
      }
    }
    return -1;
  }

  /** The sum of {@code x * 0} over {@code values[from, to)}: 0 exactly when they are all finite. */
  private static float blockCheck(float[] values, int from, int to) {
    FloatVector s0 = FloatVector.zero(S);
    FloatVector s1 = FloatVector.zero(S);
    int lanes = S.length();
    int i = from;
    for (; i + 2 * lanes <= to; i += 2 * lanes) {
      s0 = s0.add(FloatVector.fromArray(S, values, i).mul(0f));
      s1 = s1.add(FloatVector.fromArray(S, values, i + lanes).mul(0f));
    }
    float s = s0.add(s1).reduceLanes(VectorOperators.ADD);
    for (; i < to; i++) {
      s += values[i] * 0f;
    }
    return s;
  }

  @Override
  public void addScaled(float[] acc, float[] x, float w) {
    FloatVector wv = FloatVector.broadcast(S, w);
    int n = acc.length;
    int bound = S.loopBound(n);
    int i = 0;
    for (; i < bound; i += S.length()) {
      FloatVector.fromArray(S, x, i).mul(wv).add(FloatVector.fromArray(S, acc, i)).intoArray(acc, i);
    }
    for (; i < n; i++) {
      acc[i] += w * x[i];
    }
  }

  @Override
  public int firstNonFinite(ByteBuffer bytes, int offset, int count) {
    ByteBuffer le = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    for (int start = 0; start < count; start += BLOCK) {
      int n = Math.min(BLOCK, count - start);
      int from = offset + 4 * start;
      if (blockCheck(le, from, n) != 0f) {
        for (int i = 0; i < n; i++) {
          if (!Float.isFinite(le.getFloat(from + 4 * i))) {
            return start + i;
          }
        }
      }
    }
    return -1;
  }

  /** The sum of {@code x * 0} over {@code count} little-endian floats of {@code le} from byte {@code from}. */
  private static float blockCheck(ByteBuffer le, int from, int count) {
    FloatVector s0 = FloatVector.zero(S);
    FloatVector s1 = FloatVector.zero(S);
    int lanes = S.length();
    int i = 0;
    for (; i + 2 * lanes <= count; i += 2 * lanes) {
      s0 = s0.add(FloatVector.fromByteBuffer(S, le, from + 4 * i, ByteOrder.LITTLE_ENDIAN).mul(0f));
      s1 = s1.add(FloatVector.fromByteBuffer(S, le, from + 4 * (i + lanes), ByteOrder.LITTLE_ENDIAN).mul(0f));
    }
    float s = s0.add(s1).reduceLanes(VectorOperators.ADD);
    for (; i < count; i++) {
      s += le.getFloat(from + 4 * i) * 0f;
    }
    return s;
  }

  @Override
  public void addScaled(float[] acc, int at, ByteBuffer bytes, int offset, int count, float w) {
    ByteBuffer le = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    FloatVector wv = FloatVector.broadcast(S, w);
    int bound = S.loopBound(count);
    int i = 0;
    for (; i < bound; i += S.length()) {
      FloatVector.fromByteBuffer(S, le, offset + 4 * i, ByteOrder.LITTLE_ENDIAN).mul(wv)
          .add(FloatVector.fromArray(S, acc, at + i)).intoArray(acc, at + i);
    }
    for (; i < count; i++) {
      acc[at + i] += w * le.getFloat(offset + 4 * i);
    }
  }
}
