package dev.flotilla.core.message;

import dev.flotilla.core.tensor.ModelWeights;
import java.util.Objects;

/**
 * What the server asks of one client in a training round: start from {@code model} and train with {@code config}
 * (for example {@code lr}, {@code local_epochs}, {@code batch_size}, {@code momentum}, {@code round}).
 */
public record TrainInstructions(ModelWeights model, Config config) {
  public TrainInstructions {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(config, "config");
  }
}
