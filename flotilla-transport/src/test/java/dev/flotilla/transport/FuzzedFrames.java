package dev.flotilla.transport;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.google.protobuf.ByteString;
import dev.flotilla.transport.proto.ArrayHeader;
import dev.flotilla.transport.proto.Chunk;
import dev.flotilla.transport.proto.ConfigEntry;
import dev.flotilla.transport.proto.ErrorInfo;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.transport.proto.Hello;
import dev.flotilla.transport.proto.MessageEnd;
import dev.flotilla.transport.proto.MessageStart;
import dev.flotilla.transport.proto.Metric;
import dev.flotilla.transport.proto.Welcome;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Frames drawn from a fuzzer's input, for fuzzing a receiver. Every field may be wild (any dtype number, negative or
 * huge dimensions, byte lengths that disagree with the shape, ids of no message, checksums of nothing), but each
 * choice can also be the consistent one (the next id, the byte length the shape needs, the CRC32s of the bytes
 * sent so far), so that the fuzzer reaches whole messages as easily as broken ones.
 */
final class FuzzedFrames {
  /** Array bytes kept to compute consistent checksums; a message beyond it gets wild ones. */
  private static final int KEPT_BYTES = 1 << 20;
  private static final int[] WIRE_SIZES = {0, 4, 2, 2, 1, 4, 8, 1}; // by DataType number, 0 unspecified

  private final FuzzedDataProvider data;
  private long id; // of the message last started
  private final List<Long> declared = new ArrayList<>(); // byte lengths of its arrays
  private final ByteArrayOutputStream sent = new ByteArrayOutputStream();

  FuzzedFrames(FuzzedDataProvider data) {
    this.data = data;
  }

  /** Whether the input has bytes left for another frame. */
  boolean hasNext() {
    return data.remainingBytes() > 0;
  }

  /** The next frame: mostly starts, chunks and ends, sometimes a frame that never belongs inside a stream. */
  Frame next() {
    return switch (data.consumeInt(0, 9)) {
      case 0, 1 -> Frame.newBuilder().setStart(start()).build();
      case 2, 3, 4, 5 -> Frame.newBuilder().setChunk(chunk()).build();
      case 6, 7 -> Frame.newBuilder().setEnd(end()).build();
      case 8 -> Frame.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(data.consumeInt())
          .setClientId(data.consumeString(8))).build();
      default -> data.consumeBoolean()
          ? Frame.newBuilder().setWelcome(Welcome.newBuilder().setProtocolVersion(data.consumeInt())).build()
          : Frame.getDefaultInstance();
    };
  }

  private MessageStart start() {
    id = data.consumeBoolean() ? id + 1 : data.consumeLong();
    declared.clear();
    sent.reset();
    MessageStart.Builder s = MessageStart.newBuilder()
        .setMessageId(id)
        .setReplyTo(data.consumeBoolean() ? 0 : data.consumeLong())
        .setType(data.consumeBoolean() ? "train" : data.consumeString(12))
        .setGroup(data.consumeString(8))
        .setModelVersion(data.consumeLong())
        .setDeadlineUnixMillis(data.consumeLong());
    for (int i = data.consumeInt(0, 3); i > 0; i--) {
      s.addConfig(configEntry());
    }
    for (int i = data.consumeInt(0, 2); i > 0; i--) {
      s.addMetrics(Metric.newBuilder().setName(data.consumeString(8)).setValue(data.consumeDouble()));
    }
    if (data.consumeInt(0, 3) == 0) {
      s.setError(ErrorInfo.newBuilder().setCodeValue(data.consumeInt(-1, 9)).setReason(data.consumeString(16)));
    }
    for (int i = data.consumeInt(0, 5); i > 0; i--) {
      s.addArrays(arrayHeader());
    }
    return s.build();
  }

  private ConfigEntry configEntry() {
    ConfigEntry.Builder e = ConfigEntry.newBuilder().setKey(data.consumeString(6));
    switch (data.consumeInt(0, 4)) {
      case 0 -> e.setIntValue(data.consumeLong());
      case 1 -> e.setDoubleValue(data.consumeDouble());
      case 2 -> e.setBoolValue(data.consumeBoolean());
      case 3 -> e.setStringValue(data.consumeString(16));
      default -> { } // no value
    }
    return e.build();
  }

  private ArrayHeader arrayHeader() {
    int dtype = data.consumeBoolean() ? data.consumeInt(1, 7) : data.consumeInt();
    ArrayHeader.Builder h = ArrayHeader.newBuilder().setName(data.consumeString(6)).setDtypeValue(dtype);
    long elements = 1;
    for (int d = data.consumeInt(0, 4); d > 0; d--) {
      long dim = data.consumeBoolean() ? data.consumeInt(0, 64) : data.consumeLong();
      h.addShape(dim);
      elements = dim < 0 || elements < 0 ? -1 : multiplyOrMinusOne(elements, dim);
    }
    long size = dtype >= 1 && dtype < WIRE_SIZES.length && elements >= 0
        ? multiplyOrMinusOne(elements, WIRE_SIZES[dtype]) : -1;
    long byteLength = data.consumeBoolean() && size >= 0 ? size : data.consumeLong();
    declared.add(byteLength);
    return h.setByteLength(byteLength).build();
  }

  private Chunk chunk() {
    long chunkId = data.consumeInt(0, 7) == 0 ? data.consumeLong() : id;
    byte[] bytes = data.consumeBytes(data.consumeInt(0, 4096));
    if (sent.size() + bytes.length <= KEPT_BYTES) {
      sent.write(bytes, 0, bytes.length);
    }
    return Chunk.newBuilder().setMessageId(chunkId).setData(ByteString.copyFrom(bytes)).build();
  }

  private MessageEnd end() {
    MessageEnd.Builder e = MessageEnd.newBuilder().setMessageId(data.consumeInt(0, 7) == 0 ? data.consumeLong() : id);
    if (data.consumeBoolean()) {
      consistentChecksums(e);
    } else {
      for (int i = data.consumeInt(0, 5); i > 0; i--) {
        e.addCrc32(data.consumeInt());
      }
    }
    return e.build();
  }

  /** The CRC32 of each declared array over the bytes sent, as far as the declared lengths are sane. */
  private void consistentChecksums(MessageEnd.Builder e) {
    byte[] bytes = sent.toByteArray();
    long at = 0;
    for (long length : declared) {
      CRC32 crc = new CRC32();
      if (length >= 0 && at + length <= bytes.length) {
        crc.update(bytes, (int) at, (int) length);
        at += length;
      }
      e.addCrc32((int) crc.getValue());
    }
  }

  private static long multiplyOrMinusOne(long a, long b) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      return -1;
    }
  }
}
