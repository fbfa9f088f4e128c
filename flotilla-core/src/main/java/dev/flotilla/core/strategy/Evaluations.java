package dev.flotilla.core.strategy;

import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.Metrics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Pure functions that combine evaluation results. */
public final class Evaluations {
  private Evaluations() {}

  /**
   * Example-weighted mean of loss and of each metric over the results that report it; empty when no result has
   * examples.
   */
  public static Optional<EvaluateResult> weightedMean(Iterable<ClientResult<EvaluateResult>> results) {
    long total = 0;
    double loss = 0;
    Map<String, double[]> sums = new LinkedHashMap<>(); // name -> {weighted sum, weight}
    for (ClientResult<EvaluateResult> cr : results) {
      EvaluateResult r = cr.result();
      if (r.numExamples() == 0) {
        continue;
      }
      total += r.numExamples();
      loss += r.loss() * r.numExamples();
      for (Map.Entry<String, Double> m : r.metrics().values().entrySet()) {
        double[] s = sums.computeIfAbsent(m.getKey(), k -> new double[2]);
        s[0] += m.getValue() * r.numExamples();
        s[1] += r.numExamples();
      }
    }
    if (total == 0) {
      return Optional.empty();
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    sums.forEach((k, s) -> metrics.put(k, s[0] / s[1]));
    return Optional.of(new EvaluateResult(loss / total, total, new Metrics(metrics)));
  }
}
