package dev.flotilla.djl.model;

import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.List;

/**
 * The models that {@code --model} names: {@code "cnn"} ({@link FedAvgCnn}), {@code "mlp"} ({@link Mlp}) and
 * {@code "cnn-bn"} ({@link BatchNormCnn}) and {@code "logreg"} ({@link LogisticRegression}). The server calls {@link #initialWeights} to choose the weights of round 1
 * and sends them to every client.
 *
 * <p>Stateless and thread-safe; nothing here touches the native engine.
 */
public final class Models {
  private static final List<Network> NETWORKS = List.of(new FedAvgCnn(), new Mlp(), new BatchNormCnn(),
      new LogisticRegression());

  private Models() {}

  /** The known model names, in a stable order. */
  public static List<String> names() {
    return NETWORKS.stream().map(Network::name).toList();
  }

  /** The network called {@code name}; fails naming the unknown name and the known ones. */
  public static Network network(String name) {
    for (Network n : NETWORKS) {
      if (n.name().equals(name)) {
        return n;
      }
    }
    throw new IllegalArgumentException("unknown model '" + name + "'; known models: " + String.join(", ", names()));
  }

  /** The tensor names and shapes of model {@code name}, in order, buffers included. */
  public static List<TensorSpec> specs(String name) {
    return network(name).specs();
  }

  /**
   * Initial weights for model {@code name}: PyTorch's default initialisation of its layers (uniform in
   * ±1/sqrt(fan-in); normalisation layers as the identity) drawn in Java from {@code seed}, so the same seed gives
   * bit-identical weights everywhere.
   */
  public static ModelWeights initialWeights(String name, long seed) {
    return WeightInit.pytorchDefault(network(name), seed);
  }
}
