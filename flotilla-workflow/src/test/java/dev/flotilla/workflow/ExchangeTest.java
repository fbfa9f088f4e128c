package dev.flotilla.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.Metadata;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.strategy.ClientFailure.Kind;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.core.strategy.ClientResult;
import dev.flotilla.core.tensor.ModelWeights;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ExchangeTest {
  /** A fleet whose clients answer each request at once with a message of type {@code "echo:" + request type}. */
  private static final class EchoFleet implements Fleet {
    final Map<String, Message> received = new ConcurrentHashMap<>();
    final List<String> ids;

    EchoFleet(String... ids) {
      this.ids = List.of(ids);
    }

    @Override
    public List<ClientInfo> clients() {
      return ids.stream().map(id -> new ClientInfo(id, Config.empty())).toList();
    }

    @Override
    public Optional<ClientProxy> client(String id) {
      if (!ids.contains(id)) {
        return Optional.empty();
      }
      return Optional.of(new ClientProxy() {
        @Override
        public ClientInfo info() {
          return new ClientInfo(id, Config.empty());
        }

        @Override
        public boolean isConnected() {
          return true;
        }

        @Override
        public CompletableFuture<Reply> request(Message request) {
          received.put(id, request);
          Message reply = new Message("echo:" + request.type(), Config.of("from", id), Metrics.empty(),
              ModelWeights.empty());
          return CompletableFuture.completedFuture(new Reply(reply, () -> { }));
        }

        @Override
        public CompletableFuture<Void> send(Message message) {
          return CompletableFuture.completedFuture(null);
        }
      });
    }

    @Override
    public boolean awaitClients(int count, Duration timeout) {
      return ids.size() >= count;
    }

    @Override
    public long bytesReceived() {
      return 0;
    }

    @Override
    public long bytesSent() {
      return 0;
    }

    @Override
    public CompletableFuture<Void> finish() {
      return CompletableFuture.completedFuture(null);
    }
  }

  @Test
  void sendsEachRequestAndStreamsTheRepliesWithAbsentClientsAsFailures() {
    EchoFleet fleet = new EchoFleet("a", "b");
    Exchange exchange = new Exchange(fleet);
    List<ClientRequest> requests = List.of(new ClientRequest("a", Message.of("share-keys")),
        new ClientRequest("b", Message.of("share-keys")), new ClientRequest("c", Message.of("share-keys")));

    try (ReplyStream<Message> replies = exchange.send("stage 1", requests, Duration.ofSeconds(5),
        ReplyConverter.messages())) {
      assertThat(replies.toList()).extracting(ClientResult::clientId).containsExactlyInAnyOrder("a", "b");
      assertThat(replies.failures()).containsExactly(
          new ClientFailure("c", Kind.DISCONNECTED, "not connected when stage 1 started"));
    }
  }

  @Test
  void stampsTheDeadlineOnRequestsUnlessTheyCarryAnEarlierOne() {
    EchoFleet fleet = new EchoFleet("a", "b");
    Exchange exchange = new Exchange(fleet);
    long early = System.currentTimeMillis() + 1_000;
    Message keepsItsOwn = Message.of("x").withMetadata(Metadata.of("7/x", 6, early));
    long before = System.currentTimeMillis();

    try (ReplyStream<Message> replies = exchange.send("p", List.of(new ClientRequest("a", Message.of("x")),
        new ClientRequest("b", keepsItsOwn)), Duration.ofSeconds(60), ReplyConverter.messages())) {
      replies.toList();
    }

    Metadata a = fleet.received.get("a").metadata();
    assertThat(a.deadlineMillis()).isBetween(before + 60_000, System.currentTimeMillis() + 60_000);
    Metadata b = fleet.received.get("b").metadata();
    assertThat(b.deadlineMillis()).isEqualTo(early);
    assertThat(b.group()).isEqualTo("7/x");
    assertThat(b.modelVersion()).isEqualTo(6);
  }

  @Test
  void aConverterThatThrowsRejectsTheReply() {
    Exchange exchange = new Exchange(new EchoFleet("a"));
    try (ReplyStream<String> replies = exchange.send("p", List.of(new ClientRequest("a", Message.of("x"))),
        Duration.ofSeconds(5), (id, m) -> {
          throw new IllegalArgumentException("wrong shape for " + id);
        })) {
      assertThat(replies.toList()).isEmpty();
      assertThat(replies.failures()).containsExactly(new ClientFailure("a", Kind.REJECTED, "wrong shape for a"));
    }
  }
}
