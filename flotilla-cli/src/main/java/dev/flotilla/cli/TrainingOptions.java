package dev.flotilla.cli;

import dev.flotilla.core.message.Config;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The model and the options sent to clients as round config, shared by {@code server}, {@code demo} and
 * {@code simulate}. */
final class TrainingOptions {
  @Option(names = "--model", defaultValue = "cnn",
      description = "Model: cnn, mlp, cnn-bn or logreg (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--initial-model", description = "Start from the weights in this model.safetensors (written by an"
      + " earlier run) instead of fresh ones from the seed.")
  Path initialModel;

  @Option(names = "--local-epochs", defaultValue = "1", description = "Local epochs per round (default: ${DEFAULT-VALUE}).")
  int localEpochs;

  @Option(names = "--batch-size", defaultValue = "32", description = "Local batch size (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--lr", description = "Local SGD learning rate (default: 0.01; demo: 0.05).")
  Double lr;

  @Option(names = "--momentum", description = "Local SGD momentum (default: 0; demo: 0.9).")
  Double momentum;

  /** The round config that every training client receives, with the given defaults for unset options. */
  Config trainConfig(double defaultLr, double defaultMomentum) {
    double lr = this.lr != null ? this.lr : defaultLr;
    double momentum = this.momentum != null ? this.momentum : defaultMomentum;
    if (localEpochs < 1 || batchSize < 1 || !(lr > 0) || momentum < 0 || momentum >= 1) {
      throw new IllegalArgumentException(String.format(
          "bad training options: --local-epochs %d, --batch-size %d, --lr %s, --momentum %s "
              + "(need epochs >= 1, batch >= 1, lr > 0, 0 <= momentum < 1)", localEpochs, batchSize, lr, momentum));
    }
    return Config.of("model", model, "local_epochs", localEpochs, "batch_size", batchSize, "lr", lr,
        "momentum", momentum);
  }
}
