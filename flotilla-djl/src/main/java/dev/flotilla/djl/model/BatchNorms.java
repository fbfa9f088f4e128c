package dev.flotilla.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Batch normalisation over the channels (axis 1) with exactly the arithmetic of PyTorch's {@code BatchNorm2d}:
 * momentum 0.1 and epsilon 1e-5 as doubles. DJL's engine-neutral {@code BatchNorm.batchNorm} takes MXNet's
 * momentum convention as a float and hands libtorch {@code 1f - momentum} (0.10000002 for 0.9) and a float epsilon,
 * and wraps a channel axis of 1 in two axis swaps; calling libtorch directly avoids all three.
 */
final class BatchNorms {
  /** Weight of the newest batch in the running statistics, PyTorch's default. */
  static final double MOMENTUM = 0.1;
  /** Added to the variance before the square root, PyTorch's default. */
  static final double EPSILON = 1e-5;

  private BatchNorms() {}

  /**
   * {@code (x - mean) / sqrt(var + eps) * weight + bias} per channel of {@code x} {@code [batch, channels, ...]}.
   * In training mode mean and (biased) variance are those of the batch, and {@code runningMean} and
   * {@code runningVar} are updated in place: {@code running = 0.9 * running + 0.1 * batch}, with the unbiased batch
   * variance for {@code runningVar}. In evaluation mode the running statistics are used and left unchanged. The
   * result is attached to the manager of {@code x}.
   */
  static NDArray batchNorm2d(NDArray x, NDArray weight, NDArray bias, NDArray runningMean, NDArray runningVar,
      boolean training) {
    return JniUtils.batchNorm((PtNDArray) x, (PtNDArray) runningMean, (PtNDArray) runningVar, (PtNDArray) weight,
        (PtNDArray) bias, training, MOMENTUM, EPSILON);
  }
}
