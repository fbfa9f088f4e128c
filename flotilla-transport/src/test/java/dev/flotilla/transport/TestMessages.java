package dev.flotilla.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.Metadata;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.transport.proto.Frame;
import io.grpc.Drainable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Messages, arrays and encode/assemble helpers shared by the transport tests. */
final class TestMessages {
  private TestMessages() {}

  /** {@code message} with message id {@code id} and reply-to {@code replyTo}, other metadata kept. */
  static Message withIds(Message message, long id, long replyTo) {
    return message.withMetadata(message.metadata().withIds(id, replyTo));
  }

  /** {@code message} as a sent message: id {@code id}, answering nothing. */
  static Message sent(Message message, long id) {
    return withIds(message, id, 0);
  }

  /** All frames of {@code message} cut into chunks of {@code chunkBytes}. */
  static List<Frame> frames(Message message, int chunkBytes) {
    List<Frame> out = new ArrayList<>();
    new MessageEncoder(chunkBytes).encode(message).forEachRemaining(out::add);
    return out;
  }

  /** All frames of {@code message} as a {@link FrameSender} sends them (drawn chunks), serialised as gRPC does. */
  static List<Frame> drawnFrames(MessageEncoder encoder, Message message) {
    List<Frame> out = new ArrayList<>();
    try (MessageEncoder.MessageFrames frames = encoder.encodeDrawn(message)) {
      frames.forEachRemaining(f -> out.add(serialized(f)));
    }
    return out;
  }

  /**
   * {@code frame} serialised by {@link FrameMarshaller} as a gRPC transport does (drained when its stream can be,
   * which a drawn chunk's can) and parsed back.
   */
  static Frame serialized(Frame frame) {
    try (InputStream in = FrameMarshaller.INSTANCE.stream(frame)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (in instanceof Drainable drainable) {
        drainable.drainTo(out);
      } else {
        in.transferTo(out);
      }
      return Frame.parseFrom(out.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The message {@code frames} make, checking that it completes exactly at the last frame. */
  static Message assemble(List<Frame> frames) {
    return assemble(frames, new MessageAssembler());
  }

  static Message assemble(List<Frame> frames, MessageAssembler assembler) {
    Message result = null;
    for (Frame f : frames) {
      assertThat(result).as("a message is complete before its last frame").isNull();
      result = assembler.accept(f).orElse(null);
    }
    assertThat(assembler.inProgress()).isFalse();
    assertThat(result).as("the last frame completes the message").isNotNull();
    return result;
  }

  /** Asserts same names, dtypes, shapes and bit-identical wire bytes (NaN payloads included), in order. */
  static void assertSameArrays(ModelWeights got, ModelWeights want) {
    assertThat(got.specs()).containsExactlyElementsOf(want.specs());
    for (int i = 0; i < want.count(); i++) {
      assertThat(got.get(i).toByteArray()).as("bytes of %s", want.get(i).spec())
          .containsExactly(want.get(i).toByteArray());
    }
  }

  /**
   * Arrays of every dtype with their edge values (NaN with a payload, infinities, signed zero, subnormals, integer
   * extremes, every byte), empty arrays and scalars, ordered so that odd byte lengths shift the arrays after them
   * off any 4-byte alignment of the chunk stream.
   */
  static ModelWeights everyDtype() {
    return ModelWeights.of(
        Tensor.of("f32", new int[] {11}, new float[] {Float.NaN, Float.intBitsToFloat(0x7fc00001),
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.0f, Float.MIN_VALUE, -1.5e-40f, Float.MIN_NORMAL,
            Float.MAX_VALUE, -Float.MAX_VALUE, 1.0f}),
        Tensor.wrapBytes(new TensorSpec("i8", DType.INT8, new int[] {5}), new byte[] {-128, 127, 0, -1, 1}),
        Tensor.wrapBytes(new TensorSpec("f16", DType.FLOAT16, new int[] {3, 3}),
            shorts(0x7e00, 0x7e01, 0x7c00, 0xfc00, 0x0001, 0x03ff, 0x7bff, 0x8000, 0x3c00)),
        Tensor.of("f32.scalar", new int[] {}, new float[] {-3.25f}),
        Tensor.wrapBytes(new TensorSpec("bf16", DType.BFLOAT16, new int[] {7}),
            shorts(0x7fc0, 0x7f81, 0x7f80, 0xff80, 0x0001, 0x7f7f, 0x8000)),
        Tensor.ofInts("i32", new int[] {2, 2}, new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1}),
        Tensor.ofBytes("bytes", everyByte()),
        Tensor.ofLongs("i64", new int[] {5}, new long[] {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1, 0x0102030405060708L}),
        Tensor.ofLongs("i64.scalar", new int[] {}, new long[] {-42}),
        Tensor.of("f32.empty", new int[] {0, 5}, new float[0]),
        Tensor.ofLongs("i64.empty", new int[] {3, 0}, new long[0]),
        Tensor.wrapBytes(new TensorSpec("f16.scalar", DType.FLOAT16, new int[] {}), shorts(0xc000)),
        Tensor.ofBytes("bytes.empty", new byte[0]),
        Tensor.wrapBytes(new TensorSpec("i8.last", DType.INT8, new int[] {1}), new byte[] {7}));
  }

  /** One tensor of {@code dtype} with {@code n} random elements drawn from {@code seed}. */
  static Tensor random(DType dtype, int n, long seed) {
    Random random = new Random(seed);
    TensorSpec spec = new TensorSpec(dtype + ".random", dtype, new int[] {n});
    byte[] bytes = new byte[(int) spec.byteSize()];
    random.nextBytes(bytes);
    return Tensor.wrapBytes(spec, bytes);
  }

  /** A message of type {@code type} with {@code arrays} and metadata that uses every field. */
  static Message withArrays(String type, ModelWeights arrays) {
    return new Message(type, new Metadata(12, 11, "round/4", 3, 1_700_000_000_123L),
        Config.of("lr", 0.05, "epochs", 2, "shuffle", true, "name", "x"),
        Metrics.of("loss", 0.25), arrays, null);
  }

  private static byte[] shorts(int... values) {
    ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putShort((short) v);
    }
    return b.array();
  }

  private static byte[] everyByte() {
    byte[] out = new byte[256];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) i;
    }
    return out;
  }
}
