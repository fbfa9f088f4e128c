package dev.flotilla.core.message;

import dev.flotilla.core.tensor.ModelWeights;
import java.util.Objects;

/**
 * What a client returns after local training.
 *
 * @param weights     the locally trained model (same specs as the model it was sent)
 * @param numExamples how many examples it trained on; FedAvg weights the client by this
 * @param metrics     training metrics such as {@code train_loss}
 */
public record TrainResult(ModelWeights weights, long numExamples, Metrics metrics) {
  public TrainResult {
    Objects.requireNonNull(weights, "weights");
    Objects.requireNonNull(metrics, "metrics");
    if (numExamples < 0) {
      throw new IllegalArgumentException("numExamples must be >= 0, got " + numExamples);
    }
  }
}
