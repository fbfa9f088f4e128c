package dev.flotilla.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.client.ClientMod;
import dev.flotilla.core.client.Context;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.strategy.ClientFailure.Kind;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.Sampling;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.testing.FakeClientApp;
import dev.flotilla.core.testing.RecordingStrategy;
import dev.flotilla.core.testing.TestModels;
import dev.flotilla.workflow.RoundRecord;
import dev.flotilla.workflow.RunSummary;
import dev.flotilla.workflow.SyncSettings;
import dev.flotilla.workflow.SyncWorkflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The round loop of a server, driven over virtual clients whose apps are fakes. */
@Timeout(30)
class SimulatedFleetTest {
  private static final ModelWeights INITIAL = TestModels.small();

  /** Virtual clients c0, c1… with {@code examples[i]} training examples each. */
  private static List<VirtualClient> clients(int... examples) {
    List<VirtualClient> out = new ArrayList<>();
    for (int i = 0; i < examples.length; i++) {
      out.add(new VirtualClient("c" + i, i, new int[examples[i]], new int[0]));
    }
    return out;
  }

  private static SyncSettings.Builder sync(int rounds) {
    return SyncSettings.builder().rounds(rounds).minClients(1).roundTimeout(Duration.ofSeconds(20))
        .evaluateInitial(false);
  }

  @Test
  void fedAvgOverVirtualClientsIsTheExampleWeightedMean() throws Exception {
    FedAvg fedAvg = new FedAvg(FedAvg.Settings.builder().evaluate(Sampling.all()).build());
    ClientAppFactory apps = c -> FakeClientApp.adding(Integer.parseInt(c.id().substring(1)) + 1,
        c.numTrainExamples());
    try (SimulatedFleet fleet = new SimulatedFleet(clients(10, 20, 70), apps, 2)) {
      RunSummary run = new SyncWorkflow(fleet, sync(2).build()).run(fedAvg, INITIAL, (r, m) -> { });

      double meanDelta = (10 * 1 + 20 * 2 + 70 * 3) / 100.0;
      for (int t = 0; t < INITIAL.count(); t++) {
        for (int i = 0; i < INITIAL.get(t).size(); i++) {
          assertThat((double) run.finalModel().get(t).get(i)).isCloseTo(INITIAL.get(t).get(i) + 2 * meanDelta,
              within(1e-5));
        }
      }
      RoundRecord r = run.records().get(0);
      assertThat(r.clientsOk()).isEqualTo(3);
      assertThat(r.fedLoss()).isCloseTo(meanDelta, within(1e-9));
      assertThat(r.bytesUp()).isEqualTo(3 * INITIAL.byteSize());
      assertThat(r.bytesDown()).isEqualTo(2 * 3 * INITIAL.byteSize()); // training and evaluation, as over gRPC
      assertThat(fleet.isFinished()).isTrue();
    }
  }

  @Test
  void eachVirtualClientKeepsOneContextAcrossRoundsMadeOnlyWhenFirstSampled() throws Exception {
    // the mod counts the requests a client has seen in its state and reports the count as a metric
    ClientMod counting = (message, context, next) -> {
      long seen = context.state().config("count").map(c -> c.getLong("n", 0)).orElse(0L) + 1;
      context.state().putConfig("count", Config.of("n", seen));
      Message reply = next.handle(message, context);
      return reply.withMetrics(reply.metrics().with("requests_seen", seen));
    };
    FedAvg twoPerRound = new FedAvg(FedAvg.Settings.builder().train(new Sampling(0, 2)).build());
    List<Double> seen = new ArrayList<>();
    // a fresh app per task, as the factory makes: only the context carries the count from round to round
    try (SimulatedFleet fleet = new SimulatedFleet(clients(1, 1, 1, 1, 1), c -> FakeClientApp.adding(0, 1),
        c -> List.of(counting), 2, (id, type) -> { })) {
      RunSummary run = new SyncWorkflow(fleet, sync(6).build()).run(twoPerRound, INITIAL,
          (r, m) -> seen.add(r.metrics().get("requests_seen").orElseThrow()));
      int sampled = fleet.clientsWithState();
      assertThat(sampled).isBetween(2, 5);
      // 12 requests over the sampled clients: the mean count a round reports grows as clients are sampled again
      assertThat(seen.get(5)).isGreaterThan(seen.get(0));
      assertThat(run.records()).hasSize(6);
    }
  }

  @Test
  void modsAreAskedPerClientSoSomeClientsCanDiffer() throws Exception {
    ClientMod doubling = (message, context, next) -> {
      Message reply = next.handle(message, context);
      return reply.withArrays(TestModels.plus(reply.arrays(), 1));
    };
    FedAvg fedAvg = new FedAvg();
    try (SimulatedFleet fleet = new SimulatedFleet(clients(10, 10), c -> FakeClientApp.adding(1, 10),
        c -> c.id().equals("c0") ? List.of(doubling) : List.of(), 1, (id, type) -> { })) {
      RunSummary run = new SyncWorkflow(fleet, sync(1).build()).run(fedAvg, INITIAL, (r, m) -> { });
      // c0 sends initial + 2, c1 initial + 1: the mean moves by 1.5
      assertThat((double) run.finalModel().get(0).get(0)).isCloseTo(INITIAL.get(0).get(0) + 1.5, within(1e-6));
    }
  }

  @Test
  void clientsRegisterWithTheirExampleCountsSortedById() {
    try (SimulatedFleet fleet = new SimulatedFleet(clients(5, 6, 7), c -> FakeClientApp.adding(0, 1), 1)) {
      assertThat(fleet.clients()).extracting(c -> c.id()).containsExactly("c0", "c1", "c2");
      assertThat(fleet.clients().get(2).properties().getLong("num_examples", -1)).isEqualTo(7);
      assertThat(fleet.client("c1")).isPresent();
      assertThat(fleet.client("nobody")).isEmpty();
    }
  }

  @Test
  void anAppThatThrowsOrCannotBeMadeIsAClientErrorAndTheOthersAreAveraged() throws Exception {
    RecordingStrategy strategy = new RecordingStrategy(new FedAvg());
    ClientAppFactory apps = c -> switch (c.id()) {
      case "c0" -> FakeClientApp.adding(1, 10);
      case "c1" -> FakeClientApp.throwing("out of disk");
      default -> throw new IllegalStateException("no such data");
    };
    try (SimulatedFleet fleet = new SimulatedFleet(clients(1, 1, 1), apps, 2)) {
      RunSummary run = new SyncWorkflow(fleet, sync(1).build()).run(strategy, INITIAL, (r, m) -> { });

      assertThat(run.finalModel().get(0).get(0)).isCloseTo(INITIAL.get(0).get(0) + 1, within(1e-6f));
      assertThat(strategy.trainFailures().get(0)).extracting(f -> f.clientId() + " " + f.kind())
          .containsExactly("c1 CLIENT_ERROR", "c2 CLIENT_ERROR");
      assertThat(strategy.trainFailures().get(0)).allSatisfy(f -> assertThat(f.kind()).isEqualTo(Kind.CLIENT_ERROR));
      assertThat(strategy.trainFailures().get(0).get(0).reason()).contains("out of disk");
      assertThat(strategy.trainFailures().get(0).get(1).reason()).contains("no such data");
    }
  }

  @Test
  void workPerRoundDependsOnTheSampledClientsNotTheRegisteredOnes() throws Exception {
    int registered = 10_000;
    int[] sizes = new int[registered];
    java.util.Arrays.fill(sizes, 6);
    AtomicInteger made = new AtomicInteger();
    AtomicInteger open = new AtomicInteger();
    AtomicInteger maxOpen = new AtomicInteger();
    Set<String> trained = ConcurrentHashMap.newKeySet();
    ClientAppFactory apps = c -> {
      made.incrementAndGet();
      maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
      return new ClosingApp(FakeClientApp.adding(1, c.numTrainExamples()), open, () -> trained.add(c.id()));
    };
    FedAvg fedAvg = new FedAvg(FedAvg.Settings.builder().train(new Sampling(0, 15)).build());
    try (SimulatedFleet fleet = new SimulatedFleet(clients(sizes), apps, 2)) {
      RunSummary run = new SyncWorkflow(fleet, sync(3).seed(5).build()).run(fedAvg, INITIAL, (r, m) -> { });

      assertThat(run.records()).extracting(RoundRecord::clientsOk).containsExactly(15, 15, 15);
      assertThat(made.get()).as("apps made: one per sampled client and round").isEqualTo(45);
      assertThat(maxOpen.get()).as("apps alive at once").isLessThanOrEqualTo(2);
      assertThat(open.get()).as("apps left open").isZero();
      assertThat(trained).hasSizeGreaterThan(15); // each round samples anew
    }
  }

  @Test
  void badArgumentsAreNamed() {
    ClientAppFactory apps = c -> FakeClientApp.adding(0, 1);
    assertThatThrownBy(() -> new SimulatedFleet(List.of(), apps, 1)).hasMessageContaining("at least one");
    assertThatThrownBy(() -> new SimulatedFleet(clients(1), apps, 0)).hasMessageContaining("got 0");
    List<VirtualClient> twins = List.of(new VirtualClient("x", 1, new int[1], new int[0]),
        new VirtualClient("x", 2, new int[1], new int[0]));
    assertThatThrownBy(() -> new SimulatedFleet(twins, apps, 1)).hasMessageContaining("'x'");
  }

  /** An app that counts itself closed and calls {@code onTrain} when it trains. */
  private record ClosingApp(ClientApp inner, AtomicInteger open, Runnable onTrain)
      implements ClientApp, AutoCloseable {
    @Override
    public Message handle(Message message, Context context) {
      if (message.type().equals(MessageTypes.TRAIN)) {
        onTrain.run();
      }
      return inner.handle(message, context);
    }

    @Override
    public void close() {
      open.decrementAndGet();
    }
  }
}
