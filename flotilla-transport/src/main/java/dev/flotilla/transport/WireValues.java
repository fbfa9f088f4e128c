package dev.flotilla.transport;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.message.Metadata;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.tensor.DType;
import dev.flotilla.transport.proto.ConfigEntry;
import dev.flotilla.transport.proto.DataType;
import dev.flotilla.transport.proto.ErrorCode;
import dev.flotilla.transport.proto.ErrorInfo;
import dev.flotilla.transport.proto.MessageStart;
import dev.flotilla.transport.proto.Metric;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts the values of a message ({@link Config}, {@link Metrics}, {@link Metadata}, {@link MessageError},
 * {@link DType}) to and from their protobuf form. Reading a value the peer sent throws {@link ProtocolException}
 * naming what is wrong with it.
 */
public final class WireValues {
  private WireValues() {}

  /** The entries of {@code config}, in order. */
  public static List<ConfigEntry> toEntries(Config config) {
    List<ConfigEntry> out = new ArrayList<>(config.values().size());
    for (Map.Entry<String, Object> e : config.values().entrySet()) {
      ConfigEntry.Builder b = ConfigEntry.newBuilder().setKey(e.getKey());
      Object v = e.getValue();
      if (v instanceof Long l) {
        b.setIntValue(l);
      } else if (v instanceof Double d) {
        b.setDoubleValue(d);
      } else if (v instanceof Boolean bool) {
        b.setBoolValue(bool);
      } else {
        b.setStringValue((String) v);
      }
      out.add(b.build());
    }
    return out;
  }

  /** The config of {@code entries}; throws {@link ProtocolException} for an entry without key or value. */
  public static Config toConfig(List<ConfigEntry> entries) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (ConfigEntry e : entries) {
      if (e.getKey().isEmpty()) {
        throw new ProtocolException("a config entry has an empty key");
      }
      Object v = switch (e.getValueCase()) {
        case INT_VALUE -> e.getIntValue();
        case DOUBLE_VALUE -> e.getDoubleValue();
        case BOOL_VALUE -> e.getBoolValue();
        case STRING_VALUE -> e.getStringValue();
        case VALUE_NOT_SET -> throw new ProtocolException("config entry '" + e.getKey() + "' has no value");
      };
      if (values.put(e.getKey(), v) != null) {
        throw new ProtocolException("config key '" + e.getKey() + "' appears twice");
      }
    }
    return new Config(values);
  }

  /** The metrics as protobuf entries, in order. */
  public static List<Metric> toWire(Metrics metrics) {
    List<Metric> out = new ArrayList<>(metrics.values().size());
    metrics.values().forEach((k, v) -> out.add(Metric.newBuilder().setName(k).setValue(v).build()));
    return out;
  }

  /** The metrics of {@code entries}; throws {@link ProtocolException} for an unnamed or repeated metric. */
  public static Metrics toMetrics(List<Metric> entries) {
    Map<String, Double> values = new LinkedHashMap<>();
    for (Metric m : entries) {
      if (m.getName().isEmpty()) {
        throw new ProtocolException("a metric has an empty name");
      }
      if (values.put(m.getName(), m.getValue()) != null) {
        throw new ProtocolException("metric '" + m.getName() + "' appears twice");
      }
    }
    return new Metrics(values);
  }

  /** Sets the metadata fields of {@code start} (ids, group, model version, deadline) to {@code metadata}. */
  public static MessageStart.Builder setMetadata(MessageStart.Builder start, Metadata metadata) {
    return start.setMessageId(metadata.messageId())
        .setReplyTo(metadata.replyTo())
        .setGroup(metadata.group())
        .setModelVersion(metadata.modelVersion())
        .setDeadlineUnixMillis(metadata.deadlineMillis());
  }

  /** The metadata of {@code start}; throws {@link ProtocolException} for a message id that is not positive. */
  public static Metadata toMetadata(MessageStart start) {
    if (start.getMessageId() <= 0) {
      throw new ProtocolException("message ids must be positive, got message_id " + start.getMessageId());
    }
    try {
      return new Metadata(start.getMessageId(), start.getReplyTo(), start.getGroup(), start.getModelVersion(),
          start.getDeadlineUnixMillis());
    } catch (IllegalArgumentException e) {
      throw new ProtocolException("message " + start.getMessageId() + " has invalid metadata: " + e.getMessage(), e);
    }
  }

  /** The protobuf form of {@code error}. */
  public static ErrorInfo toWire(MessageError error) {
    ErrorCode code = switch (error.code()) {
      case APP_ERROR -> ErrorCode.ERROR_CODE_APP_ERROR;
      case UNSUPPORTED_TYPE -> ErrorCode.ERROR_CODE_UNSUPPORTED_TYPE;
      case BAD_REQUEST -> ErrorCode.ERROR_CODE_BAD_REQUEST;
      case REFUSED -> ErrorCode.ERROR_CODE_REFUSED;
      case DEADLINE_EXCEEDED -> ErrorCode.ERROR_CODE_DEADLINE_EXCEEDED;
      case CANCELLED -> ErrorCode.ERROR_CODE_CANCELLED;
      case INTERNAL -> ErrorCode.ERROR_CODE_INTERNAL;
    };
    return ErrorInfo.newBuilder().setCode(code).setReason(error.reason()).build();
  }

  /** The error of {@code info}; throws {@link ProtocolException} for an unset or unknown code. */
  public static MessageError toError(ErrorInfo info) {
    MessageError.Code code = switch (info.getCode()) {
      case ERROR_CODE_APP_ERROR -> MessageError.Code.APP_ERROR;
      case ERROR_CODE_UNSUPPORTED_TYPE -> MessageError.Code.UNSUPPORTED_TYPE;
      case ERROR_CODE_BAD_REQUEST -> MessageError.Code.BAD_REQUEST;
      case ERROR_CODE_REFUSED -> MessageError.Code.REFUSED;
      case ERROR_CODE_DEADLINE_EXCEEDED -> MessageError.Code.DEADLINE_EXCEEDED;
      case ERROR_CODE_CANCELLED -> MessageError.Code.CANCELLED;
      case ERROR_CODE_INTERNAL -> MessageError.Code.INTERNAL;
      case ERROR_CODE_UNSPECIFIED, UNRECOGNIZED -> throw new ProtocolException("error '" + info.getReason()
          + "' has " + (info.getCodeValue() == 0 ? "no code" : "unknown code " + info.getCodeValue()));
    };
    return new MessageError(code, info.getReason());
  }

  /** The protobuf form of {@code dtype}. */
  public static DataType toWire(DType dtype) {
    return switch (dtype) {
      case FLOAT32 -> DataType.DATA_TYPE_FLOAT32;
      case FLOAT16 -> DataType.DATA_TYPE_FLOAT16;
      case BFLOAT16 -> DataType.DATA_TYPE_BFLOAT16;
      case INT8 -> DataType.DATA_TYPE_INT8;
      case INT32 -> DataType.DATA_TYPE_INT32;
      case INT64 -> DataType.DATA_TYPE_INT64;
      case BYTES -> DataType.DATA_TYPE_BYTES;
    };
  }

  /**
   * The dtype numbered {@code dataTypeNumber} in {@code DataType} (as {@code ArrayHeader.getDtypeValue()} returns
   * it); throws {@link ProtocolException} naming an unset or unknown number.
   */
  public static DType toDType(int dataTypeNumber) {
    DataType wire = DataType.forNumber(dataTypeNumber);
    DType dtype = wire == null ? null : switch (wire) {
      case DATA_TYPE_FLOAT32 -> DType.FLOAT32;
      case DATA_TYPE_FLOAT16 -> DType.FLOAT16;
      case DATA_TYPE_BFLOAT16 -> DType.BFLOAT16;
      case DATA_TYPE_INT8 -> DType.INT8;
      case DATA_TYPE_INT32 -> DType.INT32;
      case DATA_TYPE_INT64 -> DType.INT64;
      case DATA_TYPE_BYTES -> DType.BYTES;
      case DATA_TYPE_UNSPECIFIED, UNRECOGNIZED -> null;
    };
    if (dtype == null) {
      StringBuilder known = new StringBuilder();
      for (DType t : DType.values()) {
        known.append(known.length() == 0 ? "" : ", ").append(toWire(t).getNumber()).append(" (").append(t)
            .append(')');
      }
      throw new ProtocolException((dataTypeNumber == 0 ? "dtype is not set (0)" : "unknown dtype " + dataTypeNumber)
          + "; known: " + known);
    }
    return dtype;
  }
}
