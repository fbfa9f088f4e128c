package dev.flotilla.core.compress;

import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Random;

/**
 * {@code none}: the float32 values as they are, under the name {@code t/f32}. Lossless and no smaller; the base of
 * {@code zstd} and {@code lz4} alone ({@code none+zstd}), and the reference the benchmarks compare with.
 */
public final class IdentityCodec extends TensorwiseCodec {
  /** The name of this codec. */
  public static final String NAME = "none";
  private static final String PART = "f32";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  String primaryPart() {
    return PART;
  }

  @Override
  void encodeTensor(TensorSpec spec, FloatBuffer values, Random random, List<Tensor> out) {
    float[] copy = new float[spec.size()];
    values.get(copy);
    out.add(Tensor.wrap(new TensorSpec(EncodedArrays.name(spec.name(), PART), spec.shape()), copy));
  }

  @Override
  Tensor decodeTensor(TensorSpec spec, EncodedArrays arrays) {
    return arrays.take(spec.name(), PART, DType.FLOAT32, spec.shape()).renamed(spec.name());
  }
}
