package dev.flotilla.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.List;

/**
 * The CNN of the FedAvg paper (McMahan et al., "Communication-Efficient Learning of Deep Networks from
 * Decentralized Data", AISTATS 2017) for 28x28 images, as in workload W1:
 * Conv(1→32, 5x5, no padding) → ReLU → MaxPool 2 → Conv(32→64, 5x5) → ReLU → MaxPool 2 → Flatten (1024) →
 * Dense 512 → ReLU → Dense 10; 582,026 parameters. Model name {@code "cnn"}. The head is {@code fc2}; there are no
 * normalisation layers, so training and evaluation mode compute the same.
 */
public final class FedAvgCnn extends ImageNetwork {
  /** The model name. */
  public static final String NAME = "cnn";

  private static final List<TensorSpec> SPECS = List.of(
      new TensorSpec("conv1.weight", new int[] {32, 1, 5, 5}),
      new TensorSpec("conv1.bias", new int[] {32}),
      new TensorSpec("conv2.weight", new int[] {64, 32, 5, 5}),
      new TensorSpec("conv2.bias", new int[] {64}),
      new TensorSpec("fc1.weight", new int[] {512, 1024}),
      new TensorSpec("fc1.bias", new int[] {512}),
      new TensorSpec("fc2.weight", new int[] {10, 512}),
      new TensorSpec("fc2.bias", new int[] {10}));
  private static final Shape ONES = new Shape(1, 1);
  private static final Shape NO_PADDING = new Shape(0, 0);
  private static final Shape POOL = new Shape(2, 2);

  /** Creates the network; it has no options. */
  public FedAvgCnn() {
    super(NAME, SPECS, 28, 28, 10, "fc2\\..*", MATCHES_NOTHING);
  }

  @Override
  public NDArray forward(NDArray images, NDList p, boolean training) {
    NDArray x = conv(images, p.get(0), p.get(1)); // [b, 32, 24, 24]
    x = Pool.maxPool2d(Activation.relu(x), POOL, POOL, NO_PADDING, false); // [b, 32, 12, 12]
    x = conv(x, p.get(2), p.get(3)); // [b, 64, 8, 8]
    x = Pool.maxPool2d(Activation.relu(x), POOL, POOL, NO_PADDING, false); // [b, 64, 4, 4]
    x = x.reshape(x.getShape().get(0), 1024);
    x = Activation.relu(Linear.linear(x, p.get(4), p.get(5)).singletonOrThrow());
    return Linear.linear(x, p.get(6), p.get(7)).singletonOrThrow();
  }

  private static NDArray conv(NDArray x, NDArray weight, NDArray bias) {
    return Conv2d.conv2d(x, weight, bias, ONES, NO_PADDING, ONES, 1).singletonOrThrow();
  }
}
