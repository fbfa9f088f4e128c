package dev.flotilla.cli;

import dev.flotilla.core.aggregate.UpdateValidator;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.djl.model.Models;
import dev.flotilla.workflow.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** The weights a run starts from: fresh ones from the seed, or a saved model ({@code --initial-model FILE}). */
final class InitialModel {
  private InitialModel() {}

  /**
   * The initial weights of model {@code model}: those in {@code file} (a {@code model.safetensors} that an earlier
   * run wrote, to continue training or fine-tune) when given, else {@link Models#initialWeights} from {@code seed}.
   *
   * @throws IllegalArgumentException if the file does not hold model {@code model}'s tensors, naming the first
   *                                  mismatch
   * @throws IOException              if the file cannot be read
   */
  static ModelWeights load(String model, long seed, Path file) throws IOException {
    if (file == null) {
      return Models.initialWeights(model, seed);
    }
    ModelWeights weights = SafeTensors.read(file);
    Optional<String> problem = UpdateValidator.problem(Models.specs(model), weights);
    if (problem.isPresent()) {
      throw new IllegalArgumentException("--initial-model " + file + " does not hold model '" + model + "': "
          + problem.get());
    }
    return weights;
  }
}
