package dev.flotilla.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * libtorch's autograd, called directly rather than through DJL's {@code GradientCollector}: that class allows only
 * one collector per process at a time, which would serialise virtual clients training on different threads. Grad
 * mode in libtorch is per thread, so each thread here switches its own.
 */
final class Autograd {
  private Autograd() {}

  /** Sets grad mode for the calling thread and returns the previous setting, for restoring it. */
  static boolean setEnabled(boolean enabled) {
    boolean previous = JniUtils.isGradMode();
    if (previous != enabled) {
      JniUtils.setGradMode(enabled);
    }
    return previous;
  }

  /** Back-propagates from the scalar {@code loss}, freeing the graph; the ones array goes to its manager. */
  static void backward(NDArray loss) {
    NDArray ones = loss.getManager().ones(new Shape());
    JniUtils.backward((PtNDArray) loss, (PtNDArray) ones, false, false);
  }

  /** Sets the gradient of {@code parameter} to zeros (a no-op before its first backward pass). */
  static void zeroGradient(NDArray parameter) {
    JniUtils.zeroGrad((PtNDArray) parameter);
  }

  /**
   * Adds the gradient of FedProx's proximal term {@code mu/2 ||parameter - anchor||²} to {@code gradient} in place:
   * {@code gradient += mu * (parameter - anchor)}, with grad mode off. Makes one temporary array, freed at once.
   */
  static void addProximalGradient(NDArray gradient, NDArray parameter, NDArray anchor, float mu) {
    try (NDArray drift = parameter.sub(anchor)) {
      gradient.addi(drift.muli(mu));
    }
  }

  /**
   * One SGD step in place, with grad mode off: {@code parameter -= lr * grad}, or with momentum
   * {@code v = momentum * v + lr * grad; parameter -= v}, which for a constant learning rate is PyTorch's
   * {@code torch.optim.SGD} (no dampening, no weight decay). Scales {@code gradient} in place, so it must be zeroed
   * or discarded afterwards.
   */
  static void sgdStep(NDArray parameter, NDArray gradient, NDArray velocity, float lr, float momentum) {
    gradient.muli(lr);
    if (velocity == null) {
      parameter.subi(gradient);
    } else {
      velocity.muli(momentum).addi(gradient);
      parameter.subi(velocity);
    }
  }
}
