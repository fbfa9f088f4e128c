package dev.flotilla.core.message;

import java.util.Objects;

/**
 * The outcome of evaluating a model on some data.
 *
 * @param loss        mean loss per example
 * @param numExamples how many examples were evaluated
 * @param metrics     further metrics, usually {@code accuracy} in [0, 1]
 */
public record EvaluateResult(double loss, long numExamples, Metrics metrics) {
  public EvaluateResult {
    Objects.requireNonNull(metrics, "metrics");
    if (numExamples < 0) {
      throw new IllegalArgumentException("numExamples must be >= 0, got " + numExamples);
    }
  }

  /** The {@code accuracy} metric, or NaN if there is none. */
  public double accuracy() {
    return metrics.get("accuracy").orElse(Double.NaN);
  }
}
