package dev.flotilla.core.compress;

import java.nio.FloatBuffer;

/** Selection of the values of largest magnitude in linear expected time (quickselect), for {@link TopKCodec}. */
final class TopSelection {
  private TopSelection() {}

  /**
   * The indices, ascending, of the {@code k} values of {@code values} with the largest magnitude; of equal
   * magnitudes the lower indices are taken. The values must be finite.
   */
  static int[] largestMagnitudes(FloatBuffer values, int k) {
    int n = values.limit();
    int[] out = new int[k];
    if (k == 0) {
      return out;
    }
    if (k >= n) {
      for (int i = 0; i < n; i++) {
        out[i] = i;
      }
      return out;
    }
    float[] magnitudes = new float[n];
    for (int i = 0; i < n; i++) {
      magnitudes[i] = Math.abs(values.get(i));
    }
    float threshold = select(magnitudes, n - k); // the k-th largest magnitude
    int above = 0;
    for (int i = 0; i < n; i++) {
      if (Math.abs(values.get(i)) > threshold) {
        above++;
      }
    }
    int ties = k - above;
    int j = 0;
    for (int i = 0; i < n && j < k; i++) {
      float m = Math.abs(values.get(i));
      if (m > threshold) {
        out[j++] = i;
      } else if (m == threshold && ties > 0) {
        out[j++] = i;
        ties--;
      }
    }
    return out;
  }

  /** The value that would be at {@code rank} if {@code a} were sorted ascending; reorders {@code a}. */
  static float select(float[] a, int rank) {
    int lo = 0;
    int hi = a.length - 1;
    while (lo < hi) {
      float pivot = medianOfThree(a[lo], a[lo + (hi - lo) / 2], a[hi]);
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (a[i] < pivot) {
          i++;
        }
        while (a[j] > pivot) {
          j--;
        }
        if (i <= j) {
          float t = a[i];
          a[i] = a[j];
          a[j] = t;
          i++;
          j--;
        }
      }
      if (rank <= j) {
        hi = j;
      } else if (rank >= i) {
        lo = i;
      } else {
        return a[rank];
      }
    }
    return a[rank];
  }

  private static float medianOfThree(float a, float b, float c) {
    return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
  }
}
