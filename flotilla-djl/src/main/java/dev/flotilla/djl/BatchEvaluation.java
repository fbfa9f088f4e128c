package dev.flotilla.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.djl.data.LabelledImages;
import java.util.function.IntUnaryOperator;

/**
 * Mean cross-entropy loss and accuracy of a model on labelled images, in batches, with autograd off and the network
 * in evaluation mode (normalisation layers use and keep their running statistics): shared by
 * {@link DjlClientApp#evaluate} and {@link DjlEvaluator}. Each batch's native arrays are freed before the next.
 */
final class BatchEvaluation {
  private BatchEvaluation() {}

  static EvaluateResult run(DjlModel model, LabelledImages data, BatchAssembler batches, int batchSize) {
    int n = data.size();
    int classes = model.network().numClasses();
    double lossSum = 0;
    long correct = 0;
    boolean previous = Autograd.setEnabled(false);
    try {
      for (int from = 0; from < n; from += batchSize) {
        int count = Math.min(batchSize, n - from);
        try (NDManager scope = model.manager().newSubManager()) {
          NDList batch = batches.assemble(scope, data, null, from, count, IntUnaryOperator.identity());
          NDArray logits = model.forward(batch.get(0), false);
          lossSum -= logits.logSoftmax(1).gather(batch.get(1), 1).sum().getFloat();
          float[] out = logits.toFloatArray();
          for (int k = 0; k < count; k++) {
            if (BatchAssembler.argMax(out, k, classes) == data.label(from + k)) {
              correct++;
            }
          }
        }
      }
    } finally {
      Autograd.setEnabled(previous);
    }
    double loss = n == 0 ? Double.NaN : lossSum / n;
    double accuracy = n == 0 ? Double.NaN : (double) correct / n;
    return new EvaluateResult(loss, n, Metrics.of("accuracy", accuracy));
  }
}
