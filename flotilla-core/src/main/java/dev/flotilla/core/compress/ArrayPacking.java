package dev.flotilla.core.compress;

import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed arrays as one byte array, for a lossless compressor to work on, and back. Little-endian: the array count,
 * then per array its name (length and UTF-8), type (length and wire name), rank and dimensions, then the values of
 * every array in order, as they travel on the wire. Unpacking checks every declared length against the bytes there
 * are before it allocates, and throws {@link IllegalArgumentException} saying what is wrong.
 */
final class ArrayPacking {
  private static final int MAX_NAME_BYTES = 1 << 16;
  private static final int MAX_RANK = 32;

  private ArrayPacking() {}

  /** The packed form of {@code arrays}. */
  static byte[] pack(ModelWeights arrays) {
    List<byte[]> names = new ArrayList<>(arrays.count());
    long size = 4;
    for (Tensor t : arrays.tensors()) {
      byte[] name = t.name().getBytes(StandardCharsets.UTF_8);
      names.add(name);
      size += 4 + name.length + 1 + t.dtype().wireName().length() + 4 + 4L * t.shape().length + t.byteSize();
    }
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("cannot pack " + size + " bytes into one array");
    }
    ByteBuffer out = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    out.putInt(arrays.count());
    for (int i = 0; i < arrays.count(); i++) {
      Tensor t = arrays.get(i);
      out.putInt(names.get(i).length).put(names.get(i));
      byte[] dtype = t.dtype().wireName().getBytes(StandardCharsets.US_ASCII);
      out.put((byte) dtype.length).put(dtype);
      out.putInt(t.shape().length);
      for (int d : t.shape()) {
        out.putInt(d);
      }
    }
    for (Tensor t : arrays.tensors()) {
      t.writeBytes(out, 0, (int) t.byteSize());
    }
    return out.array();
  }

  /** The arrays packed in {@code packed}. */
  static ModelWeights unpack(byte[] packed) {
    ByteBuffer in = ByteBuffer.wrap(packed).order(ByteOrder.LITTLE_ENDIAN);
    try {
      int count = in.getInt();
      if (count < 0 || count > in.remaining() / 10) {
        throw new IllegalArgumentException("packed arrays: a count of " + count + " does not fit " + packed.length
            + " bytes");
      }
      List<TensorSpec> specs = new ArrayList<>(count);
      long dataBytes = 0;
      for (int i = 0; i < count; i++) {
        String name = string(in, in.getInt(), StandardCharsets.UTF_8, "name of array " + i);
        DType dtype = DType.fromWireName(string(in, in.get() & 0xff, StandardCharsets.US_ASCII, "type of " + name));
        int rank = in.getInt();
        if (rank < 0 || rank > MAX_RANK) {
          throw new IllegalArgumentException("packed arrays: array '" + name + "' declares rank " + rank);
        }
        int[] shape = new int[rank];
        for (int d = 0; d < rank; d++) {
          shape[d] = in.getInt();
        }
        TensorSpec spec = new TensorSpec(name, dtype, shape);
        specs.add(spec);
        dataBytes += spec.byteSize();
      }
      if (dataBytes != in.remaining()) {
        throw new IllegalArgumentException("packed arrays: the headers declare " + dataBytes + " bytes of values, but "
            + in.remaining() + " follow");
      }
      List<Tensor> out = new ArrayList<>(count);
      for (TensorSpec spec : specs) {
        byte[] values = new byte[(int) spec.byteSize()];
        in.get(values);
        out.add(Tensor.wrapBytes(spec, values));
      }
      return ModelWeights.of(out);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("packed arrays: truncated after " + in.position() + " of " + packed.length
          + " bytes");
    }
  }

  private static String string(ByteBuffer in, int length, java.nio.charset.Charset charset, String what) {
    if (length < 0 || length > MAX_NAME_BYTES || length > in.remaining()) {
      throw new IllegalArgumentException("packed arrays: the " + what + " declares " + length + " bytes");
    }
    byte[] bytes = new byte[length];
    in.get(bytes);
    return new String(bytes, charset);
  }
}
