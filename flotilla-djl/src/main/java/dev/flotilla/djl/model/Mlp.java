package dev.flotilla.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.List;

/**
 * The "2NN" of the FedAvg paper (McMahan et al., AISTATS 2017) for 28x28 images: Flatten (784) → Dense 200 → ReLU
 * → Dense 200 → ReLU → Dense 10; 199,210 parameters named {@code fc1}, {@code fc2}, {@code fc3}. Model name
 * {@code "mlp"}; the head is {@code fc3}. About ten times cheaper to train than {@link FedAvgCnn}, for quick runs
 * and tests.
 */
public final class Mlp extends ImageNetwork {
  /** The model name. */
  public static final String NAME = "mlp";

  private static final List<TensorSpec> SPECS = List.of(
      new TensorSpec("fc1.weight", new int[] {200, 784}),
      new TensorSpec("fc1.bias", new int[] {200}),
      new TensorSpec("fc2.weight", new int[] {200, 200}),
      new TensorSpec("fc2.bias", new int[] {200}),
      new TensorSpec("fc3.weight", new int[] {10, 200}),
      new TensorSpec("fc3.bias", new int[] {10}));

  /** Creates the network; it has no options. */
  public Mlp() {
    super(NAME, SPECS, 28, 28, 10, "fc3\\..*", MATCHES_NOTHING);
  }

  @Override
  public NDArray forward(NDArray images, NDList p, boolean training) {
    NDArray x = images.reshape(images.getShape().get(0), 784);
    x = Activation.relu(Linear.linear(x, p.get(0), p.get(1)).singletonOrThrow());
    x = Activation.relu(Linear.linear(x, p.get(2), p.get(3)).singletonOrThrow());
    return Linear.linear(x, p.get(4), p.get(5)).singletonOrThrow();
  }
}
