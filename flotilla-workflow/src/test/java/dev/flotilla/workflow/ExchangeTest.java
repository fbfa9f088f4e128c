package dev.flotilla.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.Metadata;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.strategy.ClientFailure.Kind;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientFailureException;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.core.strategy.ClientResult;
import dev.flotilla.core.tensor.ModelWeights;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ExchangeTest {
  /** A fleet of clients {@code ids}, each answering as {@link #answer(String, Message)} says. */
  private abstract static class EchoFleetBase implements Fleet {
    final Map<String, Message> received = new ConcurrentHashMap<>();
    final Map<String, Runnable> replyStarts = new ConcurrentHashMap<>();
    final List<String> ids;

    EchoFleetBase(String... ids) {
      this.ids = List.of(ids);
    }

    abstract CompletableFuture<Reply> answer(String id, Message request);

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
          return answer(id, request);
        }

        @Override
        public CompletableFuture<Reply> request(Message request, ReplyAllowance allowance, Runnable onReplyStart) {
          replyStarts.put(id, onReplyStart);
          return request(request, allowance);
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

  /** A fleet whose clients answer each request at once with a message of type {@code "echo:" + request type}. */
  private static final class EchoFleet extends EchoFleetBase {
    EchoFleet(String... ids) {
      super(ids);
    }

    @Override
    CompletableFuture<Reply> answer(String id, Message request) {
      Message reply = new Message("echo:" + request.type(), Config.of("from", id), Metrics.empty(),
          ModelWeights.empty());
      return CompletableFuture.completedFuture(new Reply(reply, () -> { }));
    }
  }

  /** A fleet whose replies come only when the test completes them; it records the order requests were sent in. */
  private static final class HeldFleet extends EchoFleetBase {
    final Map<String, CompletableFuture<Reply>> pending = new ConcurrentHashMap<>();
    final List<String> sent = new CopyOnWriteArrayList<>();

    HeldFleet(String... ids) {
      super(ids);
    }

    @Override
    CompletableFuture<Reply> answer(String id, Message request) {
      sent.add(id);
      CompletableFuture<Reply> reply = new CompletableFuture<>();
      pending.put(id, reply);
      return reply;
    }

    void answer(String id) {
      pending.get(id).complete(new Reply(Message.of("done"), () -> { }));
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
  @Test
  void withALimitSendsTheNextRequestWhenAReplyOrAFailureArrives() {
    HeldFleet fleet = new HeldFleet("a", "b", "c", "d", "e");
    List<ClientRequest> requests = fleet.ids.stream().map(id -> new ClientRequest(id, Message.of("train"))).toList();

    try (ReplyStream<Message> replies = new Exchange(fleet).send("p", requests, Duration.ofSeconds(5), 2,
        ReplyConverter.messages())) {
      assertThat(fleet.sent).containsExactly("a", "b");
      fleet.answer("b");
      assertThat(fleet.sent).containsExactly("a", "b", "c");
      fleet.pending.get("a").completeExceptionally(new ClientFailureException(Kind.DISCONNECTED, "gone"));
      assertThat(fleet.sent).containsExactly("a", "b", "c", "d");
      fleet.answer("c");
      fleet.answer("d");
      assertThat(fleet.sent).containsExactly("a", "b", "c", "d", "e");
      fleet.answer("e");

      assertThat(replies.toList()).extracting(ClientResult::clientId).containsExactly("b", "c", "d", "e");
      assertThat(replies.failures()).extracting(ClientFailure::clientId).containsExactly("a");
    }
  }

  @Test
  void withALimitSendsTheNextRequestWhenAReplyBeginsAndCountsEachRequestOnce() {
    HeldFleet fleet = new HeldFleet("a", "b", "c", "d");
    List<ClientRequest> requests = fleet.ids.stream().map(id -> new ClientRequest(id, Message.of("train"))).toList();

    try (ReplyStream<Message> replies = new Exchange(fleet).send("p", requests, Duration.ofSeconds(5), 1,
        ReplyConverter.messages())) {
      assertThat(fleet.sent).containsExactly("a");
      fleet.replyStarts.get("a").run(); // a uploads its result: b may start working
      assertThat(fleet.sent).containsExactly("a", "b");
      fleet.replyStarts.get("a").run(); // a transport that says it twice still frees one place
      fleet.answer("a"); // nor does the reply that follows free another
      assertThat(fleet.sent).containsExactly("a", "b");
      fleet.answer("b"); // a reply without a start signal frees the place too
      assertThat(fleet.sent).containsExactly("a", "b", "c");
      fleet.replyStarts.get("c").run();
      assertThat(fleet.sent).containsExactly("a", "b", "c", "d");
      fleet.answer("c");
      fleet.answer("d");

      assertThat(replies.toList()).extracting(ClientResult::clientId).containsExactly("a", "b", "c", "d");
    }
  }

  @Test
  void withALimitAFleetThatAnswersAtOnceGetsEveryRequest() {
    EchoFleet fleet = new EchoFleet("a", "b", "c");
    List<ClientRequest> requests = fleet.ids.stream().map(id -> new ClientRequest(id, Message.of("x"))).toList();

    try (ReplyStream<Message> replies = new Exchange(fleet).send("p", requests, Duration.ofSeconds(5), 1,
        ReplyConverter.messages())) {
      assertThat(replies.toList()).extracting(ClientResult::clientId).containsExactly("a", "b", "c");
    }
  }

  @Test
  void withALimitRequestsStillQueuedAtTheDeadlineAreNotSentAndTimeOut() {
    HeldFleet fleet = new HeldFleet("a", "b", "c");
    List<ClientRequest> requests = fleet.ids.stream().map(id -> new ClientRequest(id, Message.of("x"))).toList();

    try (ReplyStream<Message> replies = new Exchange(fleet).send("p", requests, Duration.ofMillis(200), 1,
        ReplyConverter.messages())) {
      assertThat(replies.toList()).isEmpty();
      assertThat(replies.failures()).extracting(ClientFailure::kind).containsOnly(Kind.TIMEOUT).hasSize(3);
      fleet.answer("a"); // late: b is not sent any more
      assertThat(fleet.sent).containsExactly("a");
    }
  }

  @Test
  void closingTheStreamStopsSendingQueuedRequests() {
    HeldFleet fleet = new HeldFleet("a", "b");
    List<ClientRequest> requests = fleet.ids.stream().map(id -> new ClientRequest(id, Message.of("x"))).toList();

    new Exchange(fleet).send("p", requests, Duration.ofSeconds(5), 1, ReplyConverter.messages()).close();
    fleet.answer("a");

    assertThat(fleet.sent).containsExactly("a");
  }
}
