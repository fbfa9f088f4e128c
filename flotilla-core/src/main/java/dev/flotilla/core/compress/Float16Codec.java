package dev.flotilla.core.compress;

import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.HalfFloats;

/**
 * {@code fp16}: IEEE binary16, 2 bytes per value. The relative error of a value is at most 2⁻¹¹ (values below
 * 6.1·10⁻⁵ lose relative precision, down to an absolute error of 2⁻²⁵); a value beyond ±65504 cannot be encoded and
 * is refused.
 */
public final class Float16Codec extends HalfFloatCodec {
  /** The name of this codec. */
  public static final String NAME = "fp16";

  public Float16Codec() {
    super(DType.FLOAT16);
  }

  @Override
  String primaryPart() {
    return NAME;
  }

  @Override
  short round(float value) {
    return HalfFloats.floatToHalf(value);
  }

  @Override
  boolean overflowed(short bits) {
    return (bits & 0x7c00) == 0x7c00;
  }
}
