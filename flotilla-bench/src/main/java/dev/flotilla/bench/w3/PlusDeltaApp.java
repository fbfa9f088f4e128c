package dev.flotilla.bench.w3;

import dev.flotilla.core.client.Context;
import dev.flotilla.core.client.TrainEvaluateApp;
import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The client of workload W3: "training" returns the model it received plus {@link W3Model#DELTA} on every element,
 * with {@code 100 + index} as its number of examples, like Flower's {@code NumPyClient} in {@code w3_overhead.py}.
 *
 * <p>Each result carries two metrics for the server's timeline: {@value #APP_START} and {@value #APP_END}, the wall
 * clock in microseconds since the epoch when the app got the decoded model and when it had its result. Processes on
 * one machine share that clock. Evaluation is never asked for in W3 and answers a zero loss.
 */
public final class PlusDeltaApp implements TrainEvaluateApp {
  /** Metric: when the app got the model, in epoch microseconds. */
  public static final String APP_START = "w3_app_start_us";
  /** Metric: when the app had its result, in epoch microseconds. */
  public static final String APP_END = "w3_app_end_us";

  private final long numExamples;

  /** The app of client {@code index} (0-based). */
  public PlusDeltaApp(int index) {
    if (index < 0) {
      throw new IllegalArgumentException("client index must be >= 0, got " + index);
    }
    this.numExamples = 100L + index;
  }

  @Override
  public TrainResult train(TrainInstructions instructions, Context context) {
    long start = Clock.epochMicros();
    List<Tensor> out = new ArrayList<>(instructions.model().count());
    for (Tensor t : instructions.model().tensors()) {
      float[] v = t.toArray();
      for (int j = 0; j < v.length; j++) {
        v[j] += W3Model.DELTA;
      }
      out.add(Tensor.wrap(t.spec(), v));
    }
    long end = Clock.epochMicros();
    return new TrainResult(ModelWeights.of(out), numExamples, Metrics.of(APP_START, start, APP_END, end));
  }

  @Override
  public EvaluateResult evaluate(EvaluateInstructions instructions, Context context) {
    return new EvaluateResult(0, numExamples, Metrics.empty());
  }
}
