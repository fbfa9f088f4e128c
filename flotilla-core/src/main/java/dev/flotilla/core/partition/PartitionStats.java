package dev.flotilla.core.partition;

import java.util.List;
import java.util.Locale;

/**
 * Per-client sizes and label histograms of a split, and how skewed its labels are, for
 * {@code flotilla partition --stats} and for tests. Immutable.
 */
public final class PartitionStats {
  private final int[][] histograms;
  private final int numClasses;

  private PartitionStats(int[][] histograms, int numClasses) {
    this.histograms = histograms;
    this.numClasses = numClasses;
  }

  /**
   * Counts the labels of each client's examples.
   *
   * @param labels  class of each example, as given to the partitioner; the classes are {@code 0 .. max(label)}
   * @param clients index lists, one per client
   * @throws IllegalArgumentException if an index is out of range of {@code labels} or a label is negative
   */
  public static PartitionStats of(int[] labels, List<int[]> clients) {
    int numClasses = 0;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0) {
        throw new IllegalArgumentException("label at index " + i + " is negative: " + labels[i]);
      }
      numClasses = Math.max(numClasses, labels[i] + 1);
    }
    int[][] histograms = new int[clients.size()][numClasses];
    for (int c = 0; c < clients.size(); c++) {
      for (int index : clients.get(c)) {
        if (index < 0 || index >= labels.length) {
          throw new IllegalArgumentException(
              "client " + c + " has index " + index + ", outside the " + labels.length + " examples");
        }
        histograms[c][labels[index]]++;
      }
    }
    return new PartitionStats(histograms, numClasses);
  }

  /** Number of clients. */
  public int numClients() {
    return histograms.length;
  }

  /** Number of classes, {@code max(label) + 1}. */
  public int numClasses() {
    return numClasses;
  }

  /** Number of examples of {@code client}. */
  public int size(int client) {
    int n = 0;
    for (int count : histograms[client]) {
      n += count;
    }
    return n;
  }

  /** A copy of the label counts of {@code client}: element {@code k} counts its examples of class {@code k}. */
  public int[] histogram(int client) {
    return histograms[client].clone();
  }

  /** Number of classes of which {@code client} has at least one example. */
  public int distinctLabels(int client) {
    int n = 0;
    for (int count : histograms[client]) {
      n += count > 0 ? 1 : 0;
    }
    return n;
  }

  /**
   * Share of the most common class among the examples of {@code client}, in [0, 1]; 0 for a client without
   * examples. About {@code 1 / numClasses} for an IID split of balanced data, 1 for a client with a single class.
   */
  public double maxClassShare(int client) {
    int size = size(client);
    if (size == 0) {
      return 0;
    }
    int max = 0;
    for (int count : histograms[client]) {
      max = Math.max(max, count);
    }
    return (double) max / size;
  }

  /** Mean of {@link #maxClassShare} over all clients: a one-number measure of label skew. */
  public double meanMaxClassShare() {
    double sum = 0;
    for (int c = 0; c < numClients(); c++) {
      sum += maxClassShare(c);
    }
    return numClients() == 0 ? 0 : sum / numClients();
  }

  /**
   * A plain-text table: one row per client with its size, count per class, number of classes present and the
   * share of its most common class, then a row of totals. Ends with a newline.
   */
  public String toTable() {
    int[] totals = new int[numClasses];
    int totalSize = 0;
    for (int[] histogram : histograms) {
      for (int k = 0; k < numClasses; k++) {
        totals[k] += histogram[k];
        totalSize += histogram[k];
      }
    }
    int width = Math.max(5, String.valueOf(totalSize).length());
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%6s  %" + width + "s", "client", "size"));
    for (int k = 0; k < numClasses; k++) {
      out.append(String.format(Locale.ROOT, "  %" + width + "d", k));
    }
    out.append("  classes  top share\n");
    for (int c = 0; c < numClients(); c++) {
      out.append(String.format(Locale.ROOT, "%6d  %" + width + "d", c, size(c)));
      for (int count : histograms[c]) {
        out.append(String.format(Locale.ROOT, "  %" + width + "d", count));
      }
      out.append(String.format(Locale.ROOT, "  %7d  %9.3f\n", distinctLabels(c), maxClassShare(c)));
    }
    out.append(String.format(Locale.ROOT, "%6s  %" + width + "d", "total", totalSize));
    for (int total : totals) {
      out.append(String.format(Locale.ROOT, "  %" + width + "d", total));
    }
    out.append(String.format(Locale.ROOT, "  %7s  %9.3f\n", "mean", meanMaxClassShare()));
    return out.toString();
  }

  @Override
  public String toString() {
    return "PartitionStats[" + numClients() + " clients, " + numClasses + " classes]";
  }
}
