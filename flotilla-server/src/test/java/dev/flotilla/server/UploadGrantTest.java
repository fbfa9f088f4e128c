package dev.flotilla.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.client.FlotillaClient;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.testing.FakeClientApp;
import dev.flotilla.core.testing.TestModels;
import dev.flotilla.transport.FrameMarshaller;
import dev.flotilla.transport.FrameSender;
import dev.flotilla.transport.MessageAssembler;
import dev.flotilla.transport.MessageEncoder;
import dev.flotilla.transport.Protocol;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.transport.proto.Welcome;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real {@link FlotillaClient} against a server written by hand: the client sends the start of its upload, then
 * nothing more until the server grants it (protocol version 4), so a server busy with other uploads holds only its
 * header.
 */
@Timeout(30)
class UploadGrantTest {
  /** 80,000 bytes of arrays, above {@link Protocol#UNGRANTED_ARRAY_BYTES}: a reply of this size waits for a grant. */
  private static final ModelWeights MODEL = ModelWeights.of(Tensor.of("w", new int[] {20_000}, new float[20_000]));

  @Test
  void theClientSendsItsChunksOnlyOnceTheServerGrantsTheUpload() throws Exception {
    BlockingQueue<Frame> fromClient = new LinkedBlockingQueue<>();
    List<StreamObserver<Frame>> toClient = new CopyOnWriteArrayList<>();
    ServerServiceDefinition fleet = ServerServiceDefinition.builder("flotilla.v1.Fleet")
        .addMethod(Protocol.CONNECT, ServerCalls.asyncBidiStreamingCall(responses -> {
          toClient.add(responses);
          return new StreamObserver<>() {
            @Override
            public void onNext(Frame frame) {
              fromClient.add(frame);
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
          };
        }))
        .build();
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(fleet).build()
        .start();
    FlotillaClient client = new FlotillaClient(TestFleet.settings("127.0.0.1:" + server.getPort(), "c").build(),
        FakeClientApp.adding(1, 10));
    Thread runner = new Thread(() -> {
      try {
        client.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    runner.start();
    try {
      assertThat(next(fromClient).hasHello()).isTrue();
      StreamObserver<Frame> out = toClient.get(0);
      synchronized (out) {
        out.onNext(Frame.newBuilder().setWelcome(Welcome.newBuilder().setProtocolVersion(Protocol.VERSION)).build());
        Message train = MessageTypes.train(new TrainInstructions(MODEL, Config.empty()));
        new MessageEncoder(64 << 10).encode(train.withMetadata(train.metadata().withIds(1, 0)))
            .forEachRemaining(out::onNext);
      }

      Frame start = next(fromClient);
      assertThat(start.hasStart()).as("the reply's start, got %s", start.getKindCase()).isTrue();
      assertThat(start.getStart().getReplyTo()).isEqualTo(1);
      assertThat(fromClient.poll(500, TimeUnit.MILLISECONDS)).as("a frame of the upload before its grant").isNull();

      synchronized (out) {
        out.onNext(FrameSender.uploadGrant(start.getStart().getMessageId()));
      }
      MessageAssembler assembler = new MessageAssembler();
      assembler.accept(start);
      Optional<Message> reply = Optional.empty();
      while (reply.isEmpty()) {
        Frame f = next(fromClient);
        reply = assembler.accept(f);
        FrameMarshaller.INSTANCE.release(f); // as a receiver must: a large chunk holds the transport's buffers
      }
      assertThat(reply.get().type()).isEqualTo(MessageTypes.TRAIN_RESULT);
      assertThat(reply.get().arrays().contentEquals(TestModels.plus(MODEL, 1))).isTrue();
    } finally {
      client.close();
      runner.join(10_000);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static Frame next(BlockingQueue<Frame> frames) throws InterruptedException {
    Frame f = frames.poll(10, TimeUnit.SECONDS);
    assertThat(f).as("a frame from the client").isNotNull();
    return f;
  }
}
