package dev.flotilla.core.partition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Validation and array helpers shared by the partitioners. */
final class Splits {
  private Splits() {}

  /** Number of classes, {@code max(label) + 1}, after checking labels and client count. */
  static int checkArguments(int[] labels, int numClients) {
    if (numClients < 1) {
      throw new IllegalArgumentException("number of clients must be at least 1, got " + numClients);
    }
    if (labels.length < numClients) {
      throw new IllegalArgumentException(
          "cannot give each of " + numClients + " clients an example: only " + labels.length + " examples");
    }
    int max = -1;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0) {
        throw new IllegalArgumentException("label at index " + i + " is negative: " + labels[i]);
      }
      max = Math.max(max, labels[i]);
    }
    return max + 1;
  }

  /** {@code 0, 1, …, n - 1}. */
  static int[] range(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }

  /** The indices of each class, ascending: {@code result[k]} lists every {@code i} with {@code labels[i] == k}. */
  static int[][] indicesByClass(int[] labels, int numClasses) {
    int[] counts = new int[numClasses];
    for (int label : labels) {
      counts[label]++;
    }
    int[][] byClass = new int[numClasses][];
    for (int k = 0; k < numClasses; k++) {
      byClass[k] = new int[counts[k]];
    }
    int[] fill = new int[numClasses];
    for (int i = 0; i < labels.length; i++) {
      byClass[labels[i]][fill[labels[i]]++] = i;
    }
    return byClass;
  }

  /**
   * Cuts {@code order} into consecutive pieces of the given sizes (which must sum to its length) and sorts each.
   */
  static List<int[]> cut(int[] order, int[] sizes) {
    List<int[]> parts = new ArrayList<>(sizes.length);
    int from = 0;
    for (int size : sizes) {
      int[] part = Arrays.copyOfRange(order, from, from + size);
      Arrays.sort(part);
      parts.add(part);
      from += size;
    }
    if (from != order.length) {
      throw new IllegalStateException("sizes sum to " + from + ", not " + order.length);
    }
    return parts;
  }

  /** {@code n} split into {@code parts} sizes that differ by at most one, the larger ones first. */
  static int[] equalSizes(int n, int parts) {
    int[] sizes = new int[parts];
    for (int c = 0; c < parts; c++) {
      sizes[c] = n / parts + (c < n % parts ? 1 : 0);
    }
    return sizes;
  }
}
