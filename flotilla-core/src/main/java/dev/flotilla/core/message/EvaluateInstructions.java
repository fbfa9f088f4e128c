package dev.flotilla.core.message;

import dev.flotilla.core.tensor.ModelWeights;
import java.util.Objects;

/** What the server asks of one client for federated evaluation: evaluate {@code model} on local data. */
public record EvaluateInstructions(ModelWeights model, Config config) {
  public EvaluateInstructions {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(config, "config");
  }
}
