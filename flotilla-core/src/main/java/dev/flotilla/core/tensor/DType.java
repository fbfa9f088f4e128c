package dev.flotilla.core.tensor;

/**
 * The element type of a {@link Tensor}, as it travels on the wire (little-endian). {@link #FLOAT32} is the type of
 * model parameters and of everything the aggregation maths reads; the others carry compressed updates (float16,
 * bfloat16, int8), masked integer vectors (int32, int64) and opaque payloads such as ciphertexts ({@link #BYTES}).
 */
public enum DType {
  /** IEEE 754 binary32. */
  FLOAT32("float32", 4),
  /** IEEE 754 binary16. */
  FLOAT16("float16", 2),
  /** The upper half of a binary32: 8 exponent bits, 7 mantissa bits. */
  BFLOAT16("bfloat16", 2),
  /** Signed 8-bit integer. */
  INT8("int8", 1),
  /** Signed 32-bit integer. */
  INT32("int32", 4),
  /** Signed 64-bit integer. */
  INT64("int64", 8),
  /** Raw bytes without numeric meaning. */
  BYTES("bytes", 1);

  private final String wireName;
  private final int bytes;

  DType(String wireName, int bytes) {
    this.wireName = wireName;
    this.bytes = bytes;
  }

  /** The name used on the wire and in files, such as {@code "float32"}. */
  public String wireName() {
    return wireName;
  }

  /** Bytes per element. */
  public int byteSize() {
    return bytes;
  }

  /** The type called {@code name} on the wire; throws naming the unknown name and the known ones. */
  public static DType fromWireName(String name) {
    for (DType t : values()) {
      if (t.wireName.equals(name)) {
        return t;
      }
    }
    StringBuilder known = new StringBuilder();
    for (DType t : values()) {
      known.append(known.length() == 0 ? "" : ", ").append(t.wireName);
    }
    throw new IllegalArgumentException("unknown dtype '" + name + "'; known: " + known);
  }

  @Override
  public String toString() {
    return wireName;
  }
}
