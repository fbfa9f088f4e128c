package dev.flotilla.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.List;

/**
 * A classifier of single-channel images written as a pure function of its parameters: {@link #forward} maps a
 * batch of images and the parameter arrays, in the order of {@link #specs()}, to logits. Keeping the parameters out
 * of the network lets one definition serve training, evaluation and any number of concurrent models, and keeps the
 * tensor names and shapes those of PyTorch, so that weights saved by Flotilla load into the equivalent
 * {@code torch.nn.Module}.
 *
 * <p>Implementations are stateless and thread-safe.
 */
public interface Network {
  /** The name used on the command line and in run records, such as {@code "cnn"}. */
  String name();

  /** The parameters in order, with PyTorch names and shapes, such as {@code conv1.weight [32, 1, 5, 5]}. */
  List<TensorSpec> specs();

  /** Image height the network accepts, in pixels. */
  int rows();

  /** Image width the network accepts, in pixels. */
  int cols();

  /** Number of classes, the width of the logits. */
  int numClasses();

  /**
   * The logits {@code [batch, numClasses]} for {@code images} {@code [batch, 1, rows, cols]} (float32, pixels in
   * [0, 1]). New arrays are attached to the manager of {@code images}; the caller closes that manager.
   */
  NDArray forward(NDArray images, NDList parameters);

  /** Total number of scalar parameters. */
  default long numParameters() {
    long n = 0;
    for (TensorSpec s : specs()) {
      n += s.size();
    }
    return n;
  }
}
