package dev.flotilla.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.Metadata;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.Sampling;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.testing.FakeClientApp;
import dev.flotilla.core.testing.TestModels;
import dev.flotilla.workflow.AsyncSettings;
import dev.flotilla.workflow.AsyncWorkflow;
import dev.flotilla.workflow.RoundRecord;
import dev.flotilla.workflow.RunSummary;
import dev.flotilla.workflow.Staleness;
import dev.flotilla.workflow.SyncSettings;
import dev.flotilla.workflow.SyncWorkflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The simulated clock: task times, synchronous rounds timed by their slowest client, asynchronous runs repeating. */
@Timeout(60)
class SimulatedTimeTest {
  private static final ModelWeights INITIAL = TestModels.small();

  /** Virtual clients c0, c1… of 100 examples each. */
  private static List<VirtualClient> clients(int n) {
    List<VirtualClient> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new VirtualClient("c" + i, i, new int[100], new int[0]));
    }
    return out;
  }

  private static List<String> ids(int n) {
    return clients(n).stream().map(VirtualClient::id).toList();
  }

  @Test
  void aTrainingTaskTakesCommunicationPlusSlowdownTimesExamplesTimesEpochs() {
    ClientSpeeds speeds = ClientSpeeds.parse("stragglers:0.5:10", List.of("a", "b"), 3);
    SimulatedClock clock = new SimulatedClock(speeds, 0.01, 0.5, 20);
    String slow = speeds.slowdown("a") > 1 ? "a" : "b";
    String fast = slow.equals("a") ? "b" : "a";
    var train = MessageTypes.train(new TrainInstructions(INITIAL, Config.of("local_epochs", 2)));
    ClientInfo fastInfo = new ClientInfo(fast, Config.of("num_examples", 100));
    ClientInfo slowInfo = new ClientInfo(slow, Config.of("num_examples", 100));
    assertThat(clock.seconds(fastInfo, train)).isCloseTo(0.5 + 100 * 2 * 0.01, within(1e-12)); // 2.5
    assertThat(clock.uncapped(slowInfo, train)).isCloseTo(0.5 + 10 * 100 * 2 * 0.01, within(1e-12)); // 20.5
    assertThat(clock.seconds(slowInfo, train)).isEqualTo(20); // capped at the timeout
    assertThat(clock.timesOut(20.5)).isTrue();
  }

  @Test
  void aSynchronousRoundTakesItsSlowestClientOrTheTimeoutThatDropsIt() throws Exception {
    // 4 clients, one 10x slower: nominal 0.5 + 100 * 0.01 = 1.5 s, slow 0.5 + 10 = 10.5 s
    ClientSpeeds speeds = ClientSpeeds.parse("stragglers:0.25:10", ids(4), 1);
    for (double timeout : new double[] {Double.POSITIVE_INFINITY, 5}) {
      SimulatedClock clock = new SimulatedClock(speeds, 0.01, 0.5, timeout);
      AtomicInteger trained = new AtomicInteger();
      ClientAppFactory apps = c -> FakeClientApp.training(ins -> {
        trained.incrementAndGet();
        return new dev.flotilla.core.message.TrainResult(TestModels.plus(ins.model(), 1), 100,
            dev.flotilla.core.message.Metrics.empty());
      });
      try (SimulatedFleet fleet = new SimulatedFleet(clients(4), apps, c -> List.of(), 2, (id, t) -> { }, clock)) {
        RunSummary run = new SyncWorkflow(fleet, SyncSettings.builder().rounds(2).minClients(1)
            .roundTimeout(Duration.ofSeconds(30)).evaluateInitial(false).build())
            .run(new FedAvg(FedAvg.Settings.builder().train(Sampling.all()).build()), INITIAL, (r, m) -> { });
        if (Double.isInfinite(timeout)) {
          assertThat(clock.longest("1/train")).isCloseTo(10.5, within(1e-9));
          assertThat(run.records()).allMatch(r -> r.clientsFailed() == 0);
          assertThat(trained.get()).isEqualTo(8);
        } else {
          assertThat(clock.longest("2/train")).isEqualTo(5);
          assertThat(run.records()).allMatch(r -> r.clientsOk() == 3 && r.clientsFailed() == 1);
          assertThat(trained.get()).isEqualTo(6); // the straggler never trains: it would have been dropped
        }
      }
    }
  }

  @Test
  void anAsynchronousSimulationRepeatsExactlyForASeed() throws Exception {
    List<List<String>> runs = new ArrayList<>();
    for (int attempt = 0; attempt < 2; attempt++) {
      SimulatedClock clock = new SimulatedClock(ClientSpeeds.parse("lognormal:1", ids(12), 9), 0.01, 0.5,
          Double.POSITIVE_INFINITY);
      ClientAppFactory apps = c -> FakeClientApp.adding(0.01f * (Integer.parseInt(c.id().substring(1)) + 1), 100);
      try (SimulatedFleet fleet = new SimulatedFleet(clients(12), apps, c -> List.of(), 3, (id, t) -> { }, clock)) {
        AsyncSettings s = AsyncSettings.builder().versions(8).concurrency(6).bufferSize(3)
            .staleness(Staleness.polynomial(0.5)).maxStaleness(2).seed(4).evaluateInitial(false).build();
        RunSummary run = new AsyncWorkflow(fleet, s, clock).run(new FedAvg(), INITIAL, (r, m) -> { });
        List<String> lines = new ArrayList<>();
        for (RoundRecord r : run.records()) {
          lines.add(r.clientsOk() + " " + r.metrics().values());
        }
        lines.add(java.util.Arrays.toString(run.finalModel().get(0).toArray()));
        runs.add(lines);
      }
    }
    assertThat(runs.get(0)).hasSize(9);
    assertThat(runs.get(1)).isEqualTo(runs.get(0));
    assertThat(runs.get(0).get(7)).contains("sim_seconds");
  }
}
