package dev.flotilla.transport;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.transport.proto.FleetGrpc;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.transport.proto.Hello;
import io.grpc.MethodDescriptor.Marshaller;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Coverage-guided fuzzing, with Jazzer, of what a server makes of the raw bytes a client sends on its stream: gRPC's
 * length-prefixed messages, each parsed by the {@code Fleet.Connect} request marshaller into a {@code Frame}, the
 * first of which must be a valid {@code Hello} (as the server checks it), the rest fed to a byte-capped
 * {@link MessageAssembler}. Bytes that are not a frame must fail as gRPC fails them (a {@link StatusRuntimeException}),
 * frames that break the protocol with a {@link ProtocolException}; nothing else may escape, and no frame may
 * allocate beyond the cap (see {@link BudgetedAssembler}).
 *
 * <p>{@code mvn verify} runs the seeds of {@link #streams()} in Jazzer's regression mode. Fuzzing on demand:
 * <pre>{@code JAZZER_FUZZ=1 ./mvnw -pl flotilla-transport -am test -Dtest=FrameStreamFuzzTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false}</pre>
 */
class FrameStreamFuzzTest {
  private static final Marshaller<Frame> FRAMES = FleetGrpc.getConnectMethod().getRequestMarshaller();
  /** gRPC's message prefix: a compression flag byte and a 4-byte big-endian length. */
  private static final int PREFIX_BYTES = 5;

  @BeforeAll
  static void warmUp() {
    BudgetedAssembler.warmUp();
    for (byte[] seed : streams().toList()) {
      receive(seed);
    }
  }

  @MethodSource("streams")
  @FuzzTest(maxDuration = "5m")
  void refusesOnlyWithProtocolOrGrpcErrorsWithinItsCap(byte[] stream) {
    receive(stream);
  }

  /** Valid streams: a hello, then messages with arrays of every dtype, an error message, an empty message. */
  static Stream<byte[]> streams() {
    Message everyDtype = TestMessages.withArrays("train", TestMessages.everyDtype());
    List<Frame> frames = new ArrayList<>();
    frames.add(Frame.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(Protocol.VERSION)
        .setClientId("site-1").addAllProperties(WireValues.toEntries(everyDtype.config()))).build());
    List<Frame> hello = List.copyOf(frames);
    frames.addAll(TestMessages.frames(TestMessages.sent(everyDtype, 1), 97));
    frames.addAll(TestMessages.frames(TestMessages.sent(
        Message.error(MessageError.Code.APP_ERROR, "boom"), 2), 64));
    frames.addAll(TestMessages.frames(TestMessages.sent(Message.of("evaluate"), 3), 64));
    return Stream.of(grpcMessages(hello), grpcMessages(frames));
  }

  /** Reads {@code stream} as the server would, up to its end or the first refusal. */
  private static void receive(byte[] stream) {
    BudgetedAssembler assembler = new BudgetedAssembler();
    ByteBuffer in = ByteBuffer.wrap(stream);
    boolean greeted = false;
    while (in.remaining() >= PREFIX_BYTES) {
      byte flags = in.get();
      long length = Integer.toUnsignedLong(in.getInt());
      if (flags != 0 || length > Protocol.MAX_FRAME_BYTES) {
        return; // gRPC refuses compressed messages (none is negotiated) and those over the inbound limit
      }
      if (length > in.remaining()) {
        return; // the rest has not arrived
      }
      Frame frame;
      try {
        frame = FRAMES.parse(new ByteArrayInputStream(stream, in.position(), (int) length));
      } catch (StatusRuntimeException notAFrame) {
        return;
      }
      in.position(in.position() + (int) length);
      if (!greeted) {
        if (!acceptsHello(frame)) {
          return;
        }
        greeted = true;
      } else if (!assembler.offer(frame)) {
        return;
      }
    }
  }

  /** Whether the server takes {@code frame} as a client's first frame, as {@code ClientConnection} checks it. */
  private static boolean acceptsHello(Frame frame) {
    if (!frame.hasHello() || frame.getHello().getProtocolVersion() != Protocol.VERSION
        || frame.getHello().getClientId().isEmpty()) {
      return false;
    }
    try {
      new ClientInfo(frame.getHello().getClientId(), WireValues.toConfig(frame.getHello().getPropertiesList()));
      return true;
    } catch (ProtocolException refused) {
      return false;
    }
  }

  private static byte[] grpcMessages(List<Frame> frames) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Frame f : frames) {
      byte[] bytes = f.toByteArray();
      out.writeBytes(ByteBuffer.allocate(PREFIX_BYTES).put((byte) 0).putInt(bytes.length).array());
      out.writeBytes(bytes);
    }
    return out.toByteArray();
  }
}
