package dev.flotilla.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientFailureException;
import dev.flotilla.core.testing.TestModels;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.workflow.Reply;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The upload stall timeout counts silence while an upload holds a slot, not the wait for one. */
@Timeout(20)
class UploadStallTest {
  private static final Message RESULT = new Message("train_result", Config.of("num_examples", 1), Metrics.empty(),
      TestModels.small());
  private static final Duration STALL = Duration.ofMillis(300);

  private static FlotillaServer server(Duration stall) {
    return FlotillaServer.start(ServerSettings.builder().host("127.0.0.1").port(0).uploadSlots(1)
        .limits(ConnectionLimits.defaults().withUploadStallTimeout(stall)).build());
  }

  @Test
  void waitingForASlotIsNotAStall() throws Exception {
    // a longer timeout than the other test's: once b has the slot its frames must arrive within it, and a loaded
    // machine can pause a test for a few hundred milliseconds
    Duration stall = Duration.ofSeconds(1);
    try (FlotillaServer server = server(stall); RawPeer a = new RawPeer(server.port()).hello("a");
        RawPeer b = new RawPeer(server.port()).hello("b")) {
      CompletableFuture<Reply> replyA = server.registry().client("a").orElseThrow().request(Message.of("train"));
      CompletableFuture<Reply> replyB = server.registry().client("b").orElseThrow().request(Message.of("train"));
      a.reply(a.nextMessage().metadata().messageId(), RESULT);
      Reply heldA = replyA.get(5, TimeUnit.SECONDS); // holds the only slot until closed
      List<Frame> framesB = b.encode(b.nextMessage().metadata().messageId(), RESULT);
      b.send(framesB.get(0)); // the header waits for the slot

      Thread.sleep(2 * stall.toMillis() + 500); // more than twice the timeout without a byte from b
      assertThat(replyB).as("b waits for the slot").isNotDone();
      heldA.close(); // b gets the slot now: its stall clock starts
      framesB.subList(1, framesB.size()).forEach(b::send);

      try (Reply gotB = replyB.get(5, TimeUnit.SECONDS)) {
        assertThat(gotB.message().arrays().contentEquals(RESULT.arrays())).isTrue();
      }
      assertThat(b.closed).isNotDone();
    }
  }

  @Test
  void anUploadSilentForTheTimeoutLosesItsSlotAndTheNextOneProceeds() throws Exception {
    try (FlotillaServer server = server(STALL); RawPeer staller = new RawPeer(server.port()).hello("staller");
        RawPeer next = new RawPeer(server.port()).hello("next")) {
      CompletableFuture<Reply> stalled = server.registry().client("staller").orElseThrow()
          .request(Message.of("train"));
      CompletableFuture<Reply> waiting = server.registry().client("next").orElseThrow().request(Message.of("train"));
      List<Frame> frames = staller.encode(staller.nextMessage().metadata().messageId(), RESULT);
      staller.send(frames.get(0)); // the header takes the slot; no bytes follow
      Thread.sleep(50);
      next.reply(next.nextMessage().metadata().messageId(), RESULT);

      try (Reply got = waiting.get(5, TimeUnit.SECONDS)) {
        assertThat(got.message().arrays().contentEquals(RESULT.arrays())).isTrue();
      }
      Status status = staller.awaitClosed(Duration.ofSeconds(5));
      assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
      assertThat(status.getDescription()).contains("upload stalled: no data for 0.3 s");
      try {
        stalled.get(5, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        assertThat(((ClientFailureException) e.getCause()).kind()).isEqualTo(ClientFailure.Kind.TIMEOUT);
      }
      assertThat(stalled).isCompletedExceptionally();
    }
  }
}
