package dev.flotilla.core.compress;

import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.HalfFloats;

/**
 * {@code bf16}: bfloat16, the upper half of a float32, 2 bytes per value. The range of float32 with a relative error
 * of at most 2⁻⁸ per value.
 */
public final class Bfloat16Codec extends HalfFloatCodec {
  /** The name of this codec. */
  public static final String NAME = "bf16";

  public Bfloat16Codec() {
    super(DType.BFLOAT16);
  }

  @Override
  String primaryPart() {
    return NAME;
  }

  @Override
  short round(float value) {
    return HalfFloats.floatToBfloat16(value);
  }

  @Override
  boolean overflowed(short bits) {
    return (bits & 0x7f80) == 0x7f80;
  }
}
