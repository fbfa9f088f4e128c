package dev.flotilla.core.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An immutable, named, typed tensor. A {@link DType#FLOAT32} tensor keeps its values in one {@code float[]}, or, when
 * a transport lends them ({@link #lent}), reads them from the little-endian bytes they arrived in for as long as the
 * {@link BufferLoan} lasts; every other type keeps its little-endian bytes in one {@code byte[]} (the wire form). No
 * user of the tensor can reach any of them; bulk operations ({@link #copyTo}, {@link #addScaledTo},
 * {@link #writeLittleEndian}) run the loops here ({@link FloatKernels}) so that hot paths need no per-element calls
 * and no defensive copies.
 *
 * <p>The float operations ({@link #get}, {@link #toArray}, {@link #addScaledTo}…) need a float32 tensor and throw
 * {@link IllegalStateException} naming the tensor's type otherwise; {@link #toFloat32()} converts the numeric types.
 */
public final class Tensor {
  private static final int UNKNOWN = -2;

  private final TensorSpec spec;
  private final float[] data; // float32 only
  private final byte[] raw; // every other type: little-endian bytes
  private final ByteBuffer[] lent; // float32 lent by a transport: segments of whole little-endian floats, in order
  private final BufferLoan loan; // how long lent may be read
  private volatile float[] copied; // the lent values, once something needed them as an array
  // firstNonFinite(), once known (given by a producer that checked, or computed by the first call), else UNKNOWN.
  // A benign race: every thread that computes it computes the same value, and an int is written whole.
  private int nonFinite = UNKNOWN;

  private Tensor(TensorSpec spec, float[] data, byte[] raw) {
    this(spec, data, raw, null, null);
  }

  private Tensor(TensorSpec spec, float[] data, byte[] raw, ByteBuffer[] lent, BufferLoan loan) {
    if (data != null && data.length != spec.size()) {
      throw new IllegalArgumentException(
          "tensor " + spec + " needs " + spec.size() + " values, got " + data.length);
    }
    if (raw != null && raw.length != spec.byteSize()) {
      throw new IllegalArgumentException(
          "tensor " + spec + " needs " + spec.byteSize() + " bytes, got " + raw.length);
    }
    this.spec = spec;
    this.data = data;
    this.raw = raw;
    this.lent = lent;
    this.loan = loan;
  }

  /** A float32 tensor holding a copy of {@code values}. */
  public static Tensor of(String name, int[] shape, float[] values) {
    return new Tensor(new TensorSpec(name, shape), values.clone(), null);
  }

  /** An int32 tensor holding {@code values}. */
  public static Tensor ofInts(String name, int[] shape, int[] values) {
    TensorSpec spec = new TensorSpec(name, DType.INT32, shape);
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asIntBuffer().put(values);
    return new Tensor(spec, null, b.array());
  }

  /** An int64 tensor holding {@code values}. */
  public static Tensor ofLongs(String name, int[] shape, long[] values) {
    TensorSpec spec = new TensorSpec(name, DType.INT64, shape);
    ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(values);
    return new Tensor(spec, null, b.array());
  }

  /** A one-dimensional {@link DType#BYTES} tensor holding a copy of {@code bytes}. */
  public static Tensor ofBytes(String name, byte[] bytes) {
    return new Tensor(new TensorSpec(name, DType.BYTES, new int[] {bytes.length}), null, bytes.clone());
  }

  /**
   * A float32 tensor that takes ownership of {@code values} without copying. The caller must not touch the array
   * afterwards; this is for producers (decoders, aggregators) that have just filled a fresh array.
   */
  public static Tensor wrap(TensorSpec spec, float[] values) {
    if (spec.dtype() != DType.FLOAT32) {
      throw new IllegalArgumentException("float values for tensor " + spec + " of type " + spec.dtype());
    }
    return new Tensor(spec, values, null);
  }

  /**
   * {@link #wrap(TensorSpec, float[])} for a producer that has already looked for NaN and infinite values while the
   * values were in its hands (a decoder, checking each chunk while it is in cache): {@code firstNonFinite} is what
   * {@link #firstNonFinite(float[], int, int)} gives over the whole array, and {@link #firstNonFinite()} returns it
   * without another pass over the values.
   *
   * @throws IllegalArgumentException if {@code firstNonFinite} is below -1 or not an index of {@code values}
   */
  public static Tensor wrapChecked(TensorSpec spec, float[] values, int firstNonFinite) {
    if (firstNonFinite < -1 || firstNonFinite >= values.length) {
      throw new IllegalArgumentException("firstNonFinite must be -1 or an index below " + values.length + ", got "
          + firstNonFinite);
    }
    Tensor t = wrap(spec, values);
    t.nonFinite = firstNonFinite;
    return t;
  }

  /**
   * A tensor of any type that takes ownership of {@code littleEndian}, its values as they travel on the wire. A
   * float32 spec is decoded into floats (one copy).
   */
  public static Tensor wrapBytes(TensorSpec spec, byte[] littleEndian) {
    if (spec.dtype() == DType.FLOAT32) {
      if (littleEndian.length != spec.byteSize()) {
        throw new IllegalArgumentException(
            "tensor " + spec + " needs " + spec.byteSize() + " bytes, got " + littleEndian.length);
      }
      float[] f = new float[spec.size()];
      ByteBuffer.wrap(littleEndian).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
      return new Tensor(spec, f, null);
    }
    return new Tensor(spec, null, littleEndian);
  }

  /**
   * A float32 tensor whose values are read from {@code segments}, little-endian floats between each buffer's position
   * and limit, for as long as {@code loan} lasts (no copy): for a transport handing over a received message in the
   * buffers it arrived in. {@code firstNonFinite} is as for {@link #wrapChecked}, or -2 if the producer did not look.
   * Operations that need an array ({@link #get}, {@link #buffer}…) copy the values into one, once; after the loan
   * every read of values not so copied throws {@link IllegalStateException}. The buffers must not change meanwhile.
   *
   * @throws IllegalArgumentException if a segment is not a whole number of floats or the total is not the spec's
   */
  public static Tensor lent(TensorSpec spec, List<ByteBuffer> segments, int firstNonFinite, BufferLoan loan) {
    if (spec.dtype() != DType.FLOAT32) {
      throw new IllegalArgumentException("lent float bytes for tensor " + spec + " of type " + spec.dtype());
    }
    ByteBuffer[] views = new ByteBuffer[segments.size()];
    long bytes = 0;
    for (int i = 0; i < views.length; i++) {
      views[i] = segments.get(i).slice().order(ByteOrder.LITTLE_ENDIAN);
      if ((views[i].remaining() & 3) != 0) {
        throw new IllegalArgumentException("segment " + i + " of tensor " + spec + " has " + views[i].remaining()
            + " bytes, not a whole number of floats");
      }
      bytes += views[i].remaining();
    }
    if (bytes != spec.byteSize()) {
      throw new IllegalArgumentException("tensor " + spec + " needs " + spec.byteSize() + " bytes, got " + bytes);
    }
    if (firstNonFinite < UNKNOWN || firstNonFinite >= spec.size()) {
      throw new IllegalArgumentException("firstNonFinite must be -2, -1 or an index below " + spec.size() + ", got "
          + firstNonFinite);
    }
    Tensor t = new Tensor(spec, null, null, views, Objects.requireNonNull(loan, "loan"));
    t.nonFinite = firstNonFinite;
    return t;
  }

  /** Whether this tensor reads its values from a transport's buffers ({@link #lent}) and has not copied them. */
  public boolean isLent() {
    return lent != null && copied == null;
  }

  /** A tensor of zeros. */
  public static Tensor zeros(TensorSpec spec) {
    return spec.dtype() == DType.FLOAT32
        ? new Tensor(spec, new float[spec.size()], null)
        : new Tensor(spec, null, new byte[(int) spec.byteSize()]);
  }

  public TensorSpec spec() {
    return spec;
  }

  public String name() {
    return spec.name();
  }

  public DType dtype() {
    return spec.dtype();
  }

  public int[] shape() {
    return spec.shape();
  }

  /** Number of elements. */
  public int size() {
    return spec.size();
  }

  /** Size of the values in bytes. */
  public long byteSize() {
    return spec.byteSize();
  }

  /** The same values under another name. */
  public Tensor renamed(String name) {
    Tensor t = new Tensor(new TensorSpec(name, spec.dtype(), spec.shape()), data, raw, lent, loan);
    t.nonFinite = nonFinite;
    t.copied = copied;
    return t;
  }

  /** Element {@code index} of a float32 tensor. */
  public float get(int index) {
    return floats()[index];
  }

  /** A fresh copy of the values of a float32 tensor. */
  public float[] toArray() {
    return lent != null && copied == null ? copyLent() : floats().clone();
  }

  /** A read-only view of the values of a float32 tensor. */
  public FloatBuffer buffer() {
    return FloatBuffer.wrap(floats()).asReadOnlyBuffer();
  }

  /** A fresh copy of the values of an int32 tensor. */
  public int[] toIntArray() {
    int[] out = new int[size()];
    rawBuffer(DType.INT32).asIntBuffer().get(out);
    return out;
  }

  /** A fresh copy of the values of an int64 tensor. */
  public long[] toLongArray() {
    long[] out = new long[size()];
    rawBuffer(DType.INT64).asLongBuffer().get(out);
    return out;
  }

  /** The values as little-endian bytes, as they travel on the wire (a fresh array, for any type). */
  public byte[] toByteArray() {
    if (raw != null) {
      return raw.clone();
    }
    ByteBuffer b = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE, byteSize())).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(floats());
    return b.array();
  }

  /** A read-only little-endian view of the bytes of a tensor that is not float32. */
  public ByteBuffer bytes() {
    if (raw == null) {
      throw new IllegalStateException("tensor " + spec + " holds floats; use buffer() or toByteArray()");
    }
    return ByteBuffer.wrap(raw).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * The values as a float32 tensor of the same name and shape: a float32 tensor itself; float16 and bfloat16 widened
   * exactly; int8, int32 and int64 converted to the nearest float. {@link DType#BYTES} has no numeric meaning and
   * throws.
   */
  public Tensor toFloat32() {
    if (spec.dtype() == DType.FLOAT32) {
      return this;
    }
    int n = size();
    float[] out = new float[n];
    ByteBuffer b = bytes();
    switch (spec.dtype()) {
      case FLOAT16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = HalfFloats.halfToFloat(b.getShort(2 * i));
        }
      }
      case BFLOAT16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = HalfFloats.bfloat16ToFloat(b.getShort(2 * i));
        }
      }
      case INT8 -> {
        for (int i = 0; i < n; i++) {
          out[i] = b.get(i);
        }
      }
      case INT32 -> {
        for (int i = 0; i < n; i++) {
          out[i] = b.getInt(4 * i);
        }
      }
      case INT64 -> {
        for (int i = 0; i < n; i++) {
          out[i] = b.getLong(8 * i);
        }
      }
      default -> throw new IllegalStateException("tensor " + spec + " holds raw bytes, not numbers");
    }
    return new Tensor(spec.withDtype(DType.FLOAT32), out, null);
  }

  /** Copies all values of a float32 tensor into {@code dst} starting at {@code offset}. */
  public void copyTo(float[] dst, int offset) {
    float[] d = floats();
    System.arraycopy(d, 0, dst, offset, d.length);
  }

  /** {@code acc[i] += scale * this[i]} for every element of a float32 tensor: the inner loop of averaging. */
  public void addScaledTo(float[] acc, float scale) {
    if (spec.dtype() != DType.FLOAT32) {
      floats(); // throws, naming the type
    }
    if (acc.length != size()) {
      throw new IllegalArgumentException("accumulator of " + acc.length + " for tensor " + spec);
    }
    if (!isLent()) {
      FloatKernels.addScaled(acc, floats(), scale);
      return;
    }
    requireLoan();
    int at = 0;
    for (ByteBuffer segment : lent) {
      FloatKernels.addScaled(acc, at, segment, scale);
      at += segment.remaining() >>> 2;
    }
  }

  /**
   * Writes {@code count} values starting at element {@code from} of a float32 tensor to {@code dst} as little-endian
   * float32, advancing its position by {@code 4 * count}.
   */
  public void writeLittleEndian(ByteBuffer dst, int from, int count) {
    float[] d = floats();
    ByteBuffer le = dst.order() == ByteOrder.LITTLE_ENDIAN ? dst : dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    le.asFloatBuffer().put(d, from, count);
    dst.position(dst.position() + 4 * count);
  }

  /**
   * Writes {@code count} bytes of the wire form, starting at byte {@code fromByte}, to {@code dst}, advancing its
   * position by {@code count}. Works for every type; a float32 range may start or end inside a value.
   */
  public void writeBytes(ByteBuffer dst, long fromByte, int count) {
    if (fromByte < 0 || count < 0 || fromByte + count > byteSize()) {
      throw new IndexOutOfBoundsException("bytes [" + fromByte + ", " + (fromByte + count) + ") of tensor " + spec
          + " (" + byteSize() + " bytes)");
    }
    if (raw != null) {
      dst.put(raw, (int) fromByte, count);
      return;
    }
    long pos = fromByte;
    long end = fromByte + count;
    while (pos < end) {
      int element = (int) (pos >>> 2);
      int within = (int) (pos & 3);
      if (within == 0 && end - pos >= 4) {
        int whole = (int) ((end - pos) >>> 2);
        writeLittleEndian(dst, element, whole);
        pos += 4L * whole;
      } else {
        int bits = Float.floatToRawIntBits(floats()[element]);
        int k = (int) Math.min(4 - within, end - pos);
        for (int i = 0; i < k; i++) {
          dst.put((byte) (bits >>> (8 * (within + i))));
        }
        pos += k;
      }
    }
  }

  /**
   * Index of the first NaN or infinite value of a floating-point tensor, or -1 if all are finite (or integers). The
   * tensor is immutable, so the answer is kept: only the first call (if its producer did not already check) reads
   * the values.
   */
  public int firstNonFinite() {
    int known = nonFinite;
    if (known == UNKNOWN) {
      if (isLent()) {
        known = firstNonFiniteLent();
      } else {
        known = spec.dtype() == DType.FLOAT32 ? firstNonFinite(floats(), 0, size()) : firstNonFiniteHalf();
      }
      nonFinite = known;
    }
    return known;
  }

  /**
   * Index of the first NaN or infinite value among {@code values[from, to)}, or -1 if they are all finite
   * ({@link FloatKernels#firstNonFinite}).
   */
  public static int firstNonFinite(float[] values, int from, int to) {
    return FloatKernels.firstNonFinite(values, from, to);
  }

  private int firstNonFiniteHalf() {
    if (spec.dtype() == DType.FLOAT16 || spec.dtype() == DType.BFLOAT16) {
      int expMask = spec.dtype() == DType.FLOAT16 ? 0x7c00 : 0x7f80;
      ByteBuffer b = bytes();
      for (int i = 0; i < size(); i++) {
        if ((b.getShort(2 * i) & expMask) == expMask) {
          return i;
        }
      }
    }
    return -1;
  }

  /** True if both tensors have the same spec and bit-identical values. */
  public boolean contentEquals(Tensor other) {
    if (!spec.equals(other.spec)) {
      return false;
    }
    return spec.dtype() == DType.FLOAT32 ? Arrays.equals(floats(), other.floats()) : Arrays.equals(raw, other.raw);
  }

  @Override
  public String toString() {
    return "Tensor" + spec;
  }

  private float[] floats() {
    if (data != null) {
      return data;
    }
    if (lent == null) {
      throw new IllegalStateException("tensor " + spec + " is " + spec.dtype() + ", not float32");
    }
    float[] c = copied;
    if (c == null) {
      c = copyLent();
      copied = c;
    }
    return c;
  }

  /** The lent values in a fresh array. */
  private float[] copyLent() {
    requireLoan();
    float[] out = new float[size()];
    int at = 0;
    for (ByteBuffer segment : lent) {
      int n = segment.remaining() >>> 2;
      segment.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out, at, n);
      at += n;
    }
    requireLoan(); // given back while copying: the copy may hold another message's bytes
    return out;
  }

  private int firstNonFiniteLent() {
    requireLoan();
    int at = 0;
    for (ByteBuffer segment : lent) {
      int bad = FloatKernels.firstNonFinite(segment);
      if (bad >= 0) {
        return at + bad;
      }
      at += segment.remaining() >>> 2;
    }
    return -1;
  }

  private void requireLoan() {
    if (loan.isOver()) {
      throw new IllegalStateException("tensor " + spec + " was read from a transport's buffers, which were given back"
          + " with its message; keep a copy (toArray) of what must outlive the message");
    }
  }

  private ByteBuffer rawBuffer(DType want) {
    if (spec.dtype() != want) {
      throw new IllegalStateException("tensor " + spec + " is " + spec.dtype() + ", not " + want);
    }
    return ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
  }
}
