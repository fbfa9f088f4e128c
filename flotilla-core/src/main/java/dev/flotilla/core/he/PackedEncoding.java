package dev.flotilla.core.he;

import java.math.BigInteger;

/**
 * Packs several non-negative integers into one Paillier plaintext, each in a slot of {@code valueBits} bits plus
 * {@code headroomBits} zero bits above it, so that the sum of up to {@code 2^headroomBits} packed plaintexts is the
 * packing of the slot-wise sums, with no carry from one slot into the next. A 2048-bit key with 16-bit values and
 * 7 bits of headroom (128 clients) holds 89 values per ciphertext.
 *
 * <p>Immutable; thread-safe.
 */
public final class PackedEncoding {
  private final int valueBits;
  private final int slotBits;
  private final int slots;

  /**
   * @param plaintextBits bits a plaintext may use
   * @param valueBits     bits of each value
   * @param headroomBits  bits above each value for the sum's carries
   */
  public PackedEncoding(int plaintextBits, int valueBits, int headroomBits) {
    if (valueBits < 1 || valueBits > 32 || headroomBits < 0 || headroomBits > 31) {
      throw new IllegalArgumentException("packing needs 1 to 32 value bits and 0 to 31 headroom bits, got "
          + valueBits + " and " + headroomBits);
    }
    this.valueBits = valueBits;
    this.slotBits = valueBits + headroomBits;
    this.slots = plaintextBits / slotBits;
    if (slots < 1) {
      throw new IllegalArgumentException("a plaintext of " + plaintextBits + " bits holds no slot of " + slotBits
          + " bits");
    }
  }

  /** Values per plaintext. */
  public int slots() {
    return slots;
  }

  /** Plaintexts for {@code count} values. */
  public int plaintexts(int count) {
    return (count + slots - 1) / slots;
  }

  /** Plaintext {@code index} of {@code values} (each below {@code 2^valueBits}). */
  public BigInteger pack(long[] values, int index) {
    int from = index * slots;
    int to = Math.min(values.length, from + slots);
    BigInteger m = BigInteger.ZERO;
    for (int i = to - 1; i >= from; i--) {
      long v = values[i];
      if (v < 0 || v >>> valueBits != 0) {
        throw new IllegalArgumentException("value " + v + " does not fit " + valueBits + " bits");
      }
      m = m.shiftLeft(slotBits).or(BigInteger.valueOf(v));
    }
    return m;
  }

  /** Writes the slots of plaintext {@code index} ({@code m}) into {@code out}. */
  public void unpack(BigInteger m, int index, long[] out) {
    int from = index * slots;
    int to = Math.min(out.length, from + slots);
    BigInteger mask = BigInteger.ONE.shiftLeft(slotBits).subtract(BigInteger.ONE);
    for (int i = from; i < to; i++) {
      out[i] = m.and(mask).longValue();
      m = m.shiftRight(slotBits);
    }
  }
}
