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
   * One SGD step in place, in libtorch: {@code v = momentum * v + lr * grad; parameter -= v}, or
   * {@code parameter -= lr * grad} when {@code velocity} is null (no momentum). For a constant learning rate this is
   * PyTorch's {@code torch.optim.SGD} without dampening or weight decay.
   */
  static void sgdStep(NDArray parameter, NDArray gradient, NDArray velocity, float lr, float momentum) {
    JniUtils.sgdUpdate((PtNDArray) parameter, (PtNDArray) gradient, (PtNDArray) velocity, lr, 0f, 1f, -1f,
        velocity == null ? 0f : momentum);
  }
}
