package dev.flotilla.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.core.Linear;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.List;

/**
 * Multinomial logistic regression on 28x28 images: Flatten (784) → Dense 10 (softmax in the loss); 7,850 parameters
 * named {@code fc}. Model name {@code "logreg"}. The smallest model here, for differential privacy with few clients
 * per round: the noise on the averaged update grows with the square root of the number of parameters while the clipped
 * signal does not, so a small model keeps more of its signal (EXPERIMENTS.md, differential privacy).
 */
public final class LogisticRegression extends ImageNetwork {
  /** The model name. */
  public static final String NAME = "logreg";

  private static final List<TensorSpec> SPECS = List.of(
      new TensorSpec("fc.weight", new int[] {10, 784}),
      new TensorSpec("fc.bias", new int[] {10}));

  /** Creates the network; it has no options. */
  public LogisticRegression() {
    super(NAME, SPECS, 28, 28, 10, "fc\\..*", MATCHES_NOTHING);
  }

  @Override
  public NDArray forward(NDArray images, NDList p, boolean training) {
    NDArray x = images.reshape(images.getShape().get(0), 784);
    return Linear.linear(x, p.get(0), p.get(1)).singletonOrThrow();
  }
}
