package dev.flotilla.core.testing;

import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientResult;
import dev.flotilla.core.strategy.ResultStream;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.util.List;

/** Training rounds in miniature for strategy tests: one-tensor models, client results and result streams. */
public final class TrainRounds {
  private TrainRounds() {}

  /** A model of one float32 tensor {@code x} holding {@code values}. */
  public static ModelWeights vector(float... values) {
    return ModelWeights.of(Tensor.of("x", new int[] {values.length}, values));
  }

  /** The value at {@code index} of the first tensor. */
  public static float value(ModelWeights model, int index) {
    return model.get(0).get(index);
  }

  /** A result of client {@code id} with {@code weights} trained on {@code examples} examples and no metrics. */
  public static ClientResult<TrainResult> result(String id, ModelWeights weights, long examples) {
    return new ClientResult<>(id, new TrainResult(weights, examples, Metrics.empty()));
  }

  /** A result that also reports {@code train_loss}. */
  public static ClientResult<TrainResult> withLoss(String id, ModelWeights weights, long examples, double loss) {
    return new ClientResult<>(id, new TrainResult(weights, examples, Metrics.of("train_loss", loss)));
  }

  /** A stream of {@code results} without failures. */
  @SafeVarargs
  public static ResultStream<TrainResult> stream(ClientResult<TrainResult>... results) {
    return ResultStream.of(List.of(results), List.of());
  }

  /** A stream of {@code results} without failures. */
  public static ResultStream<TrainResult> stream(List<ClientResult<TrainResult>> results) {
    return ResultStream.of(results, List.of());
  }

  /** A stream with failures only. */
  public static ResultStream<TrainResult> failuresOnly(String... clients) {
    return ResultStream.of(List.of(), java.util.Arrays.stream(clients)
        .map(c -> new ClientFailure(c, ClientFailure.Kind.TIMEOUT, "no result before the deadline"))
        .toList());
  }

  /** Round {@code round} of 10, seed 42. */
  public static RoundContext round(int round) {
    return new RoundContext(round, 10, 42);
  }
}
