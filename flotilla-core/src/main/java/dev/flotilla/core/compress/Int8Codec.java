package dev.flotilla.core.compress;

import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * {@code int8} (and {@code int8:stochastic}): symmetric linear quantisation to 8-bit integers. A tensor of two or more
 * dimensions (the weights of a dense or convolutional layer, output channels first) gets one scale per output
 * channel, any other tensor one scale: {@code scale = max|x| / 127} over the channel, {@code q = round(x / scale)} in
 * [-127, 127], decoded as {@code q * scale}. Encoded as {@code t/q} (int8, the tensor's shape) and {@code t/scale}
 * (float32, {@code [channels]} or {@code [1]}): about a quarter of the bytes of float32.
 *
 * <p>Error: rounding to nearest is off by at most {@code scale / 2} per value; stochastic rounding (rounding up with
 * probability equal to the fraction) by less than {@code scale}, but without bias: the expected decoded value is the
 * value itself (Gupta et al., "Deep Learning with Limited Numerical Precision", ICML 2015; the unbiased quantiser of
 * QSGD, Alistarh et al., NeurIPS 2017). A channel whose largest magnitude is so small that its scale underflows to 0
 * decodes as zeros.
 */
public final class Int8Codec extends TensorwiseCodec {
  /** The name of this codec with rounding to nearest. */
  public static final String NAME = "int8";
  /** The level that the largest magnitude of a channel maps to. */
  public static final int LEVELS = 127;
  private static final String VALUES = "q";
  private static final String SCALE = "scale";
  private final boolean stochastic;

  /** Rounding to nearest ({@code stochastic} false) or stochastic rounding. */
  public Int8Codec(boolean stochastic) {
    this.stochastic = stochastic;
  }

  /** Whether values are rounded stochastically. */
  public boolean stochastic() {
    return stochastic;
  }

  @Override
  public String name() {
    return stochastic ? NAME + ":stochastic" : NAME;
  }

  @Override
  String primaryPart() {
    return VALUES;
  }

  /** How many scales a tensor of {@code shape} gets: its output channels if it has two or more dimensions, else 1. */
  public static int channels(int[] shape) {
    return shape.length >= 2 ? shape[0] : 1;
  }

  @Override
  void encodeTensor(TensorSpec spec, FloatBuffer values, Random random, List<Tensor> out) {
    int n = spec.size();
    int channels = channels(spec.shape());
    int perChannel = channels == 0 ? 0 : n / channels;
    byte[] q = new byte[n];
    float[] scales = new float[channels];
    SplittableRandom noise = stochastic ? new SplittableRandom(random.nextLong()) : null;
    for (int c = 0; c < channels; c++) {
      int from = c * perChannel;
      float max = 0;
      for (int i = from; i < from + perChannel; i++) {
        max = Math.max(max, Math.abs(values.get(i)));
      }
      float scale = max / LEVELS;
      scales[c] = scale;
      if (scale == 0) {
        continue;
      }
      float inverse = 1 / scale;
      for (int i = from; i < from + perChannel; i++) {
        float x = values.get(i) * inverse;
        float r = stochastic ? (float) Math.floor(x + noise.nextFloat()) : Math.round(x);
        q[i] = (byte) Math.max(-LEVELS, Math.min(LEVELS, r));
      }
    }
    out.add(Tensor.wrapBytes(new TensorSpec(EncodedArrays.name(spec.name(), VALUES), DType.INT8, spec.shape()), q));
    out.add(Tensor.wrap(new TensorSpec(EncodedArrays.name(spec.name(), SCALE), new int[] {channels}), scales));
  }

  @Override
  Tensor decodeTensor(TensorSpec spec, EncodedArrays arrays) {
    int[] shape = spec.shape();
    int channels = channels(shape);
    ByteBuffer q = arrays.take(spec.name(), VALUES, DType.INT8, shape).bytes();
    Tensor scaleTensor = arrays.take(spec.name(), SCALE, DType.FLOAT32, new int[] {channels});
    int n = spec.size();
    int perChannel = channels == 0 ? 0 : n / channels;
    float[] out = new float[n];
    for (int c = 0; c < channels; c++) {
      float scale = scaleTensor.get(c);
      if (!(scale >= 0) || Float.isInfinite(scale)) {
        throw arrays.problem(spec.name(), "scale " + c + " is " + scale + "; scales must be finite and >= 0");
      }
      for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
        out[i] = q.get(i) * scale;
      }
    }
    return Tensor.wrap(spec, out);
  }
}
