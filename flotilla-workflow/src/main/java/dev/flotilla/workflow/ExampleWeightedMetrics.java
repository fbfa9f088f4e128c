package dev.flotilla.workflow;

import dev.flotilla.core.message.Metrics;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The example-weighted mean of the metrics that clients report with their results (such as {@code train_loss}):
 * each metric averaged over the clients that reported it, each client weighted by its number of examples (by 1 when
 * it reports none). Not thread-safe.
 */
final class ExampleWeightedMetrics {
  private final Map<String, double[]> sums = new LinkedHashMap<>(); // name -> {weighted sum, total weight}

  /** Adds one client's metrics, weighted by {@code numExamples}. Non-finite values are left out. */
  void add(Metrics metrics, long numExamples) {
    double w = numExamples > 0 ? numExamples : 1;
    metrics.values().forEach((name, value) -> {
      if (Double.isFinite(value)) {
        double[] s = sums.computeIfAbsent(name, k -> new double[2]);
        s[0] += w * value;
        s[1] += w;
      }
    });
  }

  /** The means, in the order the names were first seen. */
  Metrics mean() {
    Map<String, Double> out = new LinkedHashMap<>();
    sums.forEach((name, s) -> out.put(name, s[0] / s[1]));
    return new Metrics(out);
  }
}
