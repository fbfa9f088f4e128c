package dev.flotilla.core.compress;

import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Random;

/**
 * The two 16-bit float codecs: each value rounded to the nearest 16-bit float (ties to even), under the name
 * {@code t/PART} with the tensor's shape. Half the bytes of float32.
 */
abstract class HalfFloatCodec extends TensorwiseCodec {
  private final DType dtype;

  HalfFloatCodec(DType dtype) {
    this.dtype = dtype;
  }

  /** The 16 bits that stand for {@code value}. */
  abstract short round(float value);

  @Override
  public String name() {
    return primaryPart();
  }

  @Override
  void encodeTensor(TensorSpec spec, FloatBuffer values, Random random, List<Tensor> out) {
    int n = spec.size();
    byte[] bytes = new byte[2 * n];
    for (int i = 0; i < n; i++) {
      float v = values.get(i);
      short h = round(v);
      if (overflowed(h)) {
        throw new IllegalArgumentException(name() + ": tensor '" + spec.name() + "' has value " + v + " at index " + i
            + ", beyond the range of " + dtype);
      }
      bytes[2 * i] = (byte) h;
      bytes[2 * i + 1] = (byte) (h >>> 8);
    }
    out.add(Tensor.wrapBytes(new TensorSpec(EncodedArrays.name(spec.name(), primaryPart()), dtype, spec.shape()),
        bytes));
  }

  @Override
  Tensor decodeTensor(TensorSpec spec, EncodedArrays arrays) {
    return arrays.take(spec.name(), primaryPart(), dtype, spec.shape()).toFloat32().renamed(spec.name());
  }

  /** Whether {@code bits}, rounded from a finite value, stand for an infinity (all exponent bits set). */
  abstract boolean overflowed(short bits);
}
