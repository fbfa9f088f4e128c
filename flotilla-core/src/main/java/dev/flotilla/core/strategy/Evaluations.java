package dev.flotilla.core.strategy;

import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.Metrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Pure functions that combine evaluation results. */
public final class Evaluations {
  /** Metric: how many clients' results went into a federated evaluation (those with examples). */
  public static final String CLIENTS = "clients";
  /** Metric: the standard deviation of the clients' accuracies, each client counting once. */
  public static final String ACCURACY_STD = "accuracy_std";
  /** Metric: the lowest accuracy of a client. */
  public static final String ACCURACY_MIN = "accuracy_min";
  /** Metric: the highest accuracy of a client. */
  public static final String ACCURACY_MAX = "accuracy_max";

  private static final String ACCURACY = "accuracy";

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

  /**
   * The {@link #weightedMean} of federated evaluation results, with the spread between clients added to its metrics,
   * so that a personalised run shows how unevenly its clients fare: {@value #CLIENTS}, and, when some client reports
   * {@code accuracy}, {@value #ACCURACY_STD}, {@value #ACCURACY_MIN} and {@value #ACCURACY_MAX} (see
   * {@link #accuracySpread}). Results without examples count nowhere, as in the mean. These names replace client
   * metrics of the same names. Reads {@code results} once.
   */
  public static Optional<EvaluateResult> weightedMeanWithSpread(Iterable<ClientResult<EvaluateResult>> results) {
    List<ClientResult<EvaluateResult>> all = new ArrayList<>();
    results.forEach(all::add);
    return weightedMean(all).map(mean -> new EvaluateResult(mean.loss(), mean.numExamples(),
        mean.metrics().merge(accuracySpread(all))));
  }

  /**
   * The spread of accuracy between clients: {@value #CLIENTS}, the number of results with examples, and over those
   * of them that report {@code accuracy}, {@value #ACCURACY_MIN}, {@value #ACCURACY_MAX} and {@value #ACCURACY_STD},
   * the population standard deviation {@code sqrt(Σ (aₖ - ā)² / n)} with {@code ā} the plain mean: each client counts
   * once whatever its number of examples, because the point is how evenly clients are served, and the
   * example-weighted view is already the mean accuracy. Only {@value #CLIENTS} when no client reports accuracy.
   */
  public static Metrics accuracySpread(Iterable<ClientResult<EvaluateResult>> results) {
    int clients = 0;
    List<Double> accuracies = new ArrayList<>();
    for (ClientResult<EvaluateResult> cr : results) {
      EvaluateResult r = cr.result();
      if (r.numExamples() == 0) {
        continue;
      }
      clients++;
      r.metrics().get(ACCURACY).ifPresent(accuracies::add);
    }
    Metrics out = Metrics.of(CLIENTS, clients);
    if (accuracies.isEmpty()) {
      return out;
    }
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double a : accuracies) {
      sum += a;
      min = Math.min(min, a);
      max = Math.max(max, a);
    }
    double mean = sum / accuracies.size();
    double squares = 0;
    for (double a : accuracies) {
      squares += (a - mean) * (a - mean);
    }
    return out.with(ACCURACY_STD, Math.sqrt(squares / accuracies.size()))
        .with(ACCURACY_MIN, min)
        .with(ACCURACY_MAX, max);
  }
}
