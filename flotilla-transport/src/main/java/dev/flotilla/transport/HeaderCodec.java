package dev.flotilla.transport;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.Metadata;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.transport.proto.ArrayHeader;
import dev.flotilla.transport.proto.MessageStart;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Converts between a {@link Message} without its array values and its {@code MessageStart} frame. Reading checks
 * everything a header can get wrong, and allocates nothing in proportion to the arrays it declares.
 */
final class HeaderCodec {
  /** Bytes of the largest {@code byte[]} a JVM reliably allocates: the most a tensor that is not float32 holds. */
  static final long MAX_BYTE_ARRAY = Integer.MAX_VALUE - 8;

  private HeaderCodec() {}

  /** The {@code MessageStart} of {@code message}: everything but the array values. */
  static MessageStart encode(Message message) {
    MessageStart.Builder b = MessageStart.newBuilder()
        .setType(message.type())
        .addAllConfig(WireValues.toEntries(message.config()))
        .addAllMetrics(WireValues.toWire(message.metrics()));
    WireValues.setMetadata(b, message.metadata());
    if (message.error() != null) {
      b.setError(WireValues.toWire(message.error()));
    }
    for (Tensor t : message.arrays().tensors()) {
      ArrayHeader.Builder h = ArrayHeader.newBuilder()
          .setName(t.name())
          .setDtype(WireValues.toWire(t.dtype()))
          .setByteLength(t.byteSize());
      for (int d : t.shape()) {
        h.addShape(d);
      }
      b.addArrays(h);
    }
    return b.build();
  }

  /** The header that {@code start} declares; throws {@link ProtocolException} naming the first thing wrong. */
  static MessageHeader decode(MessageStart start) {
    Metadata metadata = WireValues.toMetadata(start);
    long id = metadata.messageId();
    String type = start.getType();
    if (type.isEmpty()) {
      throw new ProtocolException("message " + id + " has no type");
    }
    List<TensorSpec> specs = new ArrayList<>(start.getArraysCount());
    Set<String> names = new HashSet<>();
    for (ArrayHeader h : start.getArraysList()) {
      TensorSpec spec = spec(id, h);
      if (!names.add(spec.name())) {
        throw new ProtocolException("message " + id + " has two arrays named '" + spec.name() + "'");
      }
      specs.add(spec);
    }
    Config config = WireValues.toConfig(start.getConfigList());
    Metrics metrics = WireValues.toMetrics(start.getMetricsList());
    MessageError error = null;
    if (start.hasError()) {
      if (!type.equals(MessageTypes.ERROR)) {
        throw new ProtocolException("message " + id + " of type '" + type + "' carries an error; only '"
            + MessageTypes.ERROR + "' messages do");
      }
      try {
        error = WireValues.toError(start.getError());
      } catch (ProtocolException e) {
        throw new ProtocolException("message " + id + ": " + e.getMessage(), e);
      }
    }
    return new MessageHeader(type, metadata, config, metrics, specs, error);
  }

  private static TensorSpec spec(long id, ArrayHeader h) {
    String where = "array '" + h.getName() + "' of message " + id;
    DType dtype;
    try {
      dtype = WireValues.toDType(h.getDtypeValue());
    } catch (ProtocolException e) {
      throw new ProtocolException(where + ": " + e.getMessage(), e);
    }
    int[] shape = new int[h.getShapeCount()];
    for (int d = 0; d < shape.length; d++) {
      long dim = h.getShape(d);
      if (dim < 0 || dim > Integer.MAX_VALUE) {
        throw new ProtocolException(where + " has an invalid dimension " + dim + " in shape " + h.getShapeList());
      }
      shape[d] = (int) dim;
    }
    TensorSpec spec;
    try {
      spec = new TensorSpec(h.getName(), dtype, shape);
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(where + ": " + e.getMessage(), e);
    }
    long needed = spec.byteSize();
    if (h.getByteLength() != needed) {
      throw new ProtocolException(where + " declares byte_length " + h.getByteLength() + " but " + dtype
          + h.getShapeList() + " needs " + needed);
    }
    if (dtype != DType.FLOAT32 && needed > MAX_BYTE_ARRAY) {
      throw new ProtocolException(where + " needs " + needed + " bytes, more than the " + MAX_BYTE_ARRAY
          + " one " + dtype + " array can hold");
    }
    return spec;
  }
}
