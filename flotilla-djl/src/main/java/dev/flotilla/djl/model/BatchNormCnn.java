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
 * A small CNN with batch normalisation (Ioffe and Szegedy, ICML 2015) for 28x28 images, for FedBN and other
 * experiments with normalisation layers: Conv(1→16, 5x5, no bias) → BatchNorm → ReLU → MaxPool 2 →
 * Conv(16→32, 5x5, no bias) → BatchNorm → ReLU → MaxPool 2 → Flatten (512) → Dense 10. Model name
 * {@code "cnn-bn"}; 18,426 trainable parameters and 96 running statistics.
 *
 * <p>The tensors are those of the PyTorch module with layers {@code conv1}, {@code bn1}, {@code conv2},
 * {@code bn2} and {@code fc}, in its {@code state_dict} order, except {@code bnK.num_batches_tracked}: PyTorch
 * keeps that counter as int64 and uses it only when {@code momentum=None}, and fills it in (as 0) when it loads a
 * state dict without it. The head is {@code fc}; the normalisation layers are {@code bn1} and {@code bn2}.
 */
public final class BatchNormCnn extends ImageNetwork {
  /** The model name. */
  public static final String NAME = "cnn-bn";

  private static final List<TensorSpec> SPECS = List.of(
      new TensorSpec("conv1.weight", new int[] {16, 1, 5, 5}),
      new TensorSpec("bn1.weight", new int[] {16}),
      new TensorSpec("bn1.bias", new int[] {16}),
      new TensorSpec("bn1.running_mean", new int[] {16}),
      new TensorSpec("bn1.running_var", new int[] {16}),
      new TensorSpec("conv2.weight", new int[] {32, 16, 5, 5}),
      new TensorSpec("bn2.weight", new int[] {32}),
      new TensorSpec("bn2.bias", new int[] {32}),
      new TensorSpec("bn2.running_mean", new int[] {32}),
      new TensorSpec("bn2.running_var", new int[] {32}),
      new TensorSpec("fc.weight", new int[] {10, 512}),
      new TensorSpec("fc.bias", new int[] {10}));
  private static final Shape ONES = new Shape(1, 1);
  private static final Shape NO_PADDING = new Shape(0, 0);
  private static final Shape POOL = new Shape(2, 2);

  /** Creates the network; it has no options. */
  public BatchNormCnn() {
    super(NAME, SPECS, 28, 28, 10, "fc\\..*", "bn\\d+\\..*");
  }

  @Override
  public NDArray forward(NDArray images, NDList p, boolean training) {
    NDArray x = conv(images, p.get(0)); // [b, 16, 24, 24]
    x = BatchNorms.batchNorm2d(x, p.get(1), p.get(2), p.get(3), p.get(4), training);
    x = Pool.maxPool2d(Activation.relu(x), POOL, POOL, NO_PADDING, false); // [b, 16, 12, 12]
    x = conv(x, p.get(5)); // [b, 32, 8, 8]
    x = BatchNorms.batchNorm2d(x, p.get(6), p.get(7), p.get(8), p.get(9), training);
    x = Pool.maxPool2d(Activation.relu(x), POOL, POOL, NO_PADDING, false); // [b, 32, 4, 4]
    x = x.reshape(x.getShape().get(0), 512);
    return Linear.linear(x, p.get(10), p.get(11)).singletonOrThrow();
  }

  private static NDArray conv(NDArray x, NDArray weight) {
    return Conv2d.conv2d(x, weight, null, ONES, NO_PADDING, ONES, 1).singletonOrThrow();
  }
}
