package dev.flotilla.core.compress;

import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import java.math.BigDecimal;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Random;

/**
 * {@code topk:RATIO} (and {@code topk:RATIO:noef}): sparsification of an update. Of each tensor of {@code n} values
 * only the {@code k = max(1, ceil(RATIO * n))} of largest magnitude are sent (ties broken by lower index), as
 * {@code t/indices} (int32, ascending) and {@code t/values} (float32 exact), 8 bytes per kept value; the others decode
 * as 0. Per tensor rather than over the whole model, so that every layer moves each round.
 *
 * <p>Dropping most of an update biases training; with error feedback (the default) each client keeps what it did not
 * send and adds it to its next update, so that everything is sent eventually (Aji and Heafield, "Sparse
 * Communication for Distributed Gradient Descent", EMNLP 2017; Lin et al., "Deep Gradient Compression", ICLR 2018;
 * Stich et al., "Sparsified SGD with Memory", NeurIPS 2018). {@code :noef} turns it off, for comparison.
 *
 * <p>Sparse: it encodes updates only, so it cannot carry the global model to clients, and decoding needs the
 * tensors' specs. Decoding refuses indices out of range or not strictly ascending, and more values than the ratio
 * allows.
 */
public final class TopKCodec extends TensorwiseCodec {
  /** The name's prefix. */
  public static final String NAME = "topk";
  private static final String INDICES = "indices";
  private static final String VALUES = "values";
  private final double ratio;
  private final boolean errorFeedback;

  /**
   * Keeps a {@code ratio} of each tensor's values, with or without error feedback on the client.
   *
   * @throws IllegalArgumentException if {@code ratio} is not in (0, 1]
   */
  public TopKCodec(double ratio, boolean errorFeedback) {
    if (!(ratio > 0 && ratio <= 1)) {
      throw new IllegalArgumentException("topk: the ratio must be in (0, 1], got " + ratio);
    }
    this.ratio = ratio;
    this.errorFeedback = errorFeedback;
  }

  /** The share of each tensor's values that is sent. */
  public double ratio() {
    return ratio;
  }

  @Override
  public String name() {
    return NAME + ":" + BigDecimal.valueOf(ratio).stripTrailingZeros().toPlainString() + (errorFeedback ? "" : ":noef");
  }

  @Override
  public boolean sparse() {
    return true;
  }

  @Override
  public boolean errorFeedback() {
    return errorFeedback;
  }

  /** How many of {@code n} values are kept: {@code max(1, ceil(ratio * n))}, at most {@code n}. */
  public int kept(int n) {
    return (int) Math.min(n, Math.max(1, Math.ceil(ratio * n)));
  }

  @Override
  String primaryPart() {
    return INDICES;
  }

  @Override
  void encodeTensor(TensorSpec spec, FloatBuffer values, Random random, List<Tensor> out) {
    int n = spec.size();
    int k = kept(n);
    int[] indices = TopSelection.largestMagnitudes(values, k);
    float[] kept = new float[indices.length];
    for (int i = 0; i < indices.length; i++) {
      kept[i] = values.get(indices[i]);
    }
    out.add(Tensor.ofInts(EncodedArrays.name(spec.name(), INDICES), new int[] {indices.length}, indices));
    out.add(Tensor.wrap(new TensorSpec(EncodedArrays.name(spec.name(), VALUES), new int[] {kept.length}), kept));
  }

  @Override
  Tensor decodeTensor(TensorSpec spec, EncodedArrays arrays) {
    int n = spec.size();
    Tensor indexTensor = arrays.takeVector(spec.name(), INDICES, DType.INT32);
    int k = indexTensor.size();
    if (k > kept(n)) {
      throw arrays.problem(spec.name(), "carries " + k + " values, more than the " + kept(n) + " of " + n + " that "
          + name() + " allows");
    }
    Tensor valueTensor = arrays.take(spec.name(), VALUES, DType.FLOAT32, new int[] {k});
    int[] indices = indexTensor.toIntArray();
    float[] out = new float[n];
    int previous = -1;
    for (int i = 0; i < k; i++) {
      int index = indices[i];
      if (index <= previous || index >= n) {
        throw arrays.problem(spec.name(), "index " + i + " is " + index + "; indices must ascend strictly within [0, "
            + n + ")");
      }
      out[index] = valueTensor.get(i);
      previous = index;
    }
    return Tensor.wrap(spec, out);
  }

  /** {@inheritDoc} A sparse encoding does not carry shapes: always throws. */
  @Override
  public List<TensorSpec> declaredSpecs(ModelWeights encoded) {
    throw new IllegalArgumentException(name() + " encodes sparse updates; it needs the model's specs to decode and"
        + " cannot carry a whole model");
  }
}
