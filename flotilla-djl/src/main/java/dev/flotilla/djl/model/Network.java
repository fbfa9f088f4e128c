package dev.flotilla.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.List;
import java.util.Set;

/**
 * A classifier of single-channel images written as a pure function of its tensors: {@link #forward} maps a batch of
 * images and the tensors, in the order of {@link #specs()}, to logits. Keeping the tensors out of the network lets
 * one definition serve training, evaluation and any number of concurrent models, and keeps the tensor names and
 * shapes those of PyTorch's {@code state_dict}, so that weights saved by Flotilla load into the equivalent
 * {@code torch.nn.Module}.
 *
 * <p>The tensors are of two kinds. Parameters are trained by SGD. Buffers ({@link #bufferNames()}), such as the
 * running statistics of batch normalisation, are state that the forward pass itself updates in training mode; SGD
 * leaves them alone. Both kinds are part of the model's weights: the server sends and averages them like any other
 * tensor, unless a personalisation scheme keeps some of them local (see {@link #headPattern()} and
 * {@link #normalizationPattern()}).
 *
 * <p>Implementations are stateless and thread-safe.
 */
public interface Network {
  /** A regular expression that matches no name: the {@link #normalizationPattern()} of a network without any. */
  String MATCHES_NOTHING = "(?!)";

  /** The name used on the command line and in run records, such as {@code "cnn"}. */
  String name();

  /**
   * All tensors in order, parameters and buffers, with PyTorch names and shapes, such as
   * {@code conv1.weight [32, 1, 5, 5]}.
   */
  List<TensorSpec> specs();

  /**
   * The names of the tensors that are buffers rather than trained parameters, such as {@code bn1.running_mean};
   * empty for a network without batch normalisation.
   */
  Set<String> bufferNames();

  /** Whether SGD trains the tensor called {@code name}: every tensor that is not a buffer. */
  default boolean isTrainable(String name) {
    return !bufferNames().contains(name);
  }

  /**
   * A regular expression that matches the whole name of every tensor of the classifier head, the last dense layer,
   * and no other, such as {@code fc2\..*}. FedPer (Arivazhagan et al., "Federated Learning with Personalization
   * Layers", 2019) keeps these tensors local to each client.
   */
  String headPattern();

  /**
   * A regular expression that matches the whole name of every tensor of the normalisation layers, parameters and
   * running statistics alike, and no other, such as {@code bn\d+\..*}; {@link #MATCHES_NOTHING} for a network
   * without normalisation layers. FedBN (Li et al., "FedBN: Federated Learning on Non-IID Features via Local Batch
   * Normalization", ICLR 2021) keeps these tensors local to each client.
   */
  String normalizationPattern();

  /** Image height the network accepts, in pixels. */
  int rows();

  /** Image width the network accepts, in pixels. */
  int cols();

  /** Number of classes, the width of the logits. */
  int numClasses();

  /**
   * The logits {@code [batch, numClasses]} for {@code images} {@code [batch, 1, rows, cols]} (float32, pixels in
   * [0, 1]). In training mode, normalisation layers normalise with the statistics of the batch and update their
   * running statistics in place, in {@code tensors}; in evaluation mode they use the running statistics and change
   * nothing. Networks without normalisation layers compute the same in both modes. New arrays are attached to the
   * manager of {@code images}; the caller closes that manager.
   *
   * @param tensors parameters and buffers in the order of {@link #specs()}
   */
  NDArray forward(NDArray images, NDList tensors, boolean training);

  /** Total number of scalars in all tensors, buffers included: the size of the weights that travel. */
  default long numParameters() {
    long n = 0;
    for (TensorSpec s : specs()) {
      n += s.size();
    }
    return n;
  }
}
