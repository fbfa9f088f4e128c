package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.client.ClientSettings;
import dev.flotilla.client.FlotillaClient;
import dev.flotilla.core.client.ClientMod;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.partition.LocalTestSplit;
import dev.flotilla.core.partition.Partitioners;
import dev.flotilla.core.personal.LocalLayersMod;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.strategy.StrategyOptions;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.djl.DjlClientApp;
import dev.flotilla.djl.data.FashionMnist;
import dev.flotilla.djl.data.LabelledImages;
import dev.flotilla.djl.model.Models;
import dev.flotilla.server.FlotillaServer;
import dev.flotilla.server.ServerSettings;
import dev.flotilla.sim.SimulatedFleet;
import dev.flotilla.sim.VirtualClient;
import dev.flotilla.workflow.RoundRecord;
import dev.flotilla.workflow.RunSummary;
import dev.flotilla.workflow.SyncSettings;
import dev.flotilla.workflow.SyncWorkflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A simulated run and a deployed run over loopback gRPC, with the same seed, partition, strategy and client code,
 * produce the same global model after every round: the simulation differs only in that messages do not cross a
 * socket. (Within float tolerance: over gRPC results are averaged in arrival order, which varies.)
 */
@Timeout(120)
class SimulationMatchesDeploymentTest {
  private static final int CLIENTS = 6;

  @Test
  void simulatedAndDeployedRoundsGiveTheSameAggregatedWeights() throws Exception {
    LabelledImages train = FashionMnist.train().first(1800);
    SimulationSettings settings = SimulationSettings.builder().model("mlp").clients(CLIENTS, 3).rounds(2).seed(11)
        .partitioner(Partitioners.parse("dirichlet:0.5"))
        .trainConfig(Config.of("lr", 0.05, "momentum", 0.9, "batch_size", 32, "local_epochs", 1)).build();
    List<int[]> parts = settings.partitioner().partition(train.labels(), CLIENTS, settings.seed());
    List<VirtualClient> clients = VirtualClient.fromPartition(parts, null);
    ModelWeights initial = Models.initialWeights("mlp", settings.seed());
    SyncSettings sync = SyncSettings.builder().rounds(2).minClients(CLIENTS).minFitClients(3)
        .roundTimeout(Duration.ofSeconds(60)).seed(settings.seed()).evaluateInitial(false).build();

    List<ModelWeights> simulated = new ArrayList<>();
    RunSummary simulation;
    try (SimulatedFleet fleet = new SimulatedFleet(clients, new DjlAppFactory("mlp", train, null), 2)) {
      simulation = new SyncWorkflow(fleet, sync).run(strategy(settings), initial, (r, m) -> simulated.add(m));
    }

    List<ModelWeights> deployed = new ArrayList<>();
    RunSummary deployment = deploy(train, parts, sync, strategy(settings), initial, deployed);

    assertThat(deployed).hasSize(2);
    assertThat(simulated).hasSize(2);
    for (int round = 0; round < 2; round++) {
      assertThat(maxDifference(simulated.get(round), initial)).as("round %d moved the model", round + 1)
          .isGreaterThan(1e-3);
      assertThat(maxDifference(simulated.get(round), deployed.get(round))).as("round %d", round + 1)
          .isLessThan(1e-5);
      RoundRecord sim = simulation.records().get(round);
      RoundRecord dep = deployment.records().get(round);
      assertThat(sim.clientsOk()).isEqualTo(dep.clientsOk()).isEqualTo(3);
      assertThat(sim.bytesUp()).isEqualTo(dep.bytesUp());
      assertThat(sim.bytesDown()).isEqualTo(dep.bytesDown());
    }
  }

  /**
   * With FedPer, each client keeps its own classifier head in its client state across rounds (a stateful mod): the
   * simulation and the deployment still agree on every round's model and on every client's federated evaluation.
   */
  @Test
  void aStatefulModGivesTheSameRunsInSimulationAndDeployment() throws Exception {
    LabelledImages train = FashionMnist.train().first(1800);
    LabelledImages test = FashionMnist.test().first(600);
    String head = Models.network("mlp").headPattern();
    SimulationSettings settings = SimulationSettings.builder().model("mlp").clients(CLIENTS, CLIENTS).rounds(3)
        .seed(5).partitioner(Partitioners.parse("shards:2")).fractionEvaluate(1.0)
        .strategy(new StrategyChoice("fedavg", StrategyOptions.defaults(), head))
        .trainConfig(Config.of("lr", 0.05, "momentum", 0.9, "batch_size", 32, "local_epochs", 1)).build();
    List<int[]> parts = settings.partitioner().partition(train.labels(), CLIENTS, settings.seed());
    List<int[]> testParts = LocalTestSplit.split(train.labels(), parts, test.labels(), settings.seed() + 1);
    ModelWeights initial = Models.initialWeights("mlp", settings.seed());
    SyncSettings sync = SyncSettings.builder().rounds(3).minClients(CLIENTS).minFitClients(CLIENTS)
        .roundTimeout(Duration.ofSeconds(60)).seed(settings.seed()).evaluateInitial(false).build();

    List<ModelWeights> simulated = new ArrayList<>();
    RunSummary simulation;
    try (SimulatedFleet fleet = new SimulatedFleet(VirtualClient.fromPartition(parts, testParts),
        new DjlAppFactory("mlp", train, test), c -> List.of(new LocalLayersMod()), 2, (id, type) -> { })) {
      simulation = new SyncWorkflow(fleet, sync).run(strategy(settings), initial, (r, m) -> simulated.add(m));
    }
    List<ModelWeights> deployed = new ArrayList<>();
    RunSummary deployment = deploy(train, parts, test, testParts, List.of(new LocalLayersMod()), sync,
        strategy(settings), initial, deployed);

    for (int round = 0; round < 3; round++) {
      assertThat(maxDifference(simulated.get(round), deployed.get(round))).as("round %d", round + 1)
          .isLessThan(1e-5);
      // the head never left the sites: the server's copy is still the initial one
      assertThat(simulated.get(round).filter(n -> n.matches(head)).contentEquals(initial.filter(n -> n.matches(head))))
          .isTrue();
      RoundRecord sim = simulation.records().get(round);
      RoundRecord dep = deployment.records().get(round);
      assertThat(sim.fedAccuracy()).isCloseTo(dep.fedAccuracy(), within(1e-9));
      assertThat(sim.metrics().get("fed_accuracy_std").orElseThrow())
          .isCloseTo(dep.metrics().get("fed_accuracy_std").orElseThrow(), within(1e-9));
      assertThat(sim.bytesUp()).isEqualTo(dep.bytesUp()).isLessThan(CLIENTS * initial.byteSize());
    }
    // personal heads make each client good at its two classes: far above the 10-class chance level
    assertThat(simulation.records().get(2).fedAccuracy()).isGreaterThan(0.7);
  }

  private static Strategy strategy(SimulationSettings settings) {
    return Simulation.strategy(settings, null);
  }

  /**
   * The same run with a gRPC server on 127.0.0.1 and one {@link FlotillaClient} per partition, each training a
   * {@link DjlClientApp} on its examples with the seed {@code flotilla client} would use.
   */
  private static RunSummary deploy(LabelledImages train, List<int[]> parts, SyncSettings sync, Strategy strategy,
      ModelWeights initial, List<ModelWeights> models) throws Exception {
    return deploy(train, parts, null, null, List.of(), sync, strategy, initial, models);
  }

  /** As above, with local test sets ({@code testParts} of {@code test}, or none) and client mods. */
  private static RunSummary deploy(LabelledImages train, List<int[]> parts, LabelledImages test,
      List<int[]> testParts, List<ClientMod> mods, SyncSettings sync, Strategy strategy, ModelWeights initial,
      List<ModelWeights> models) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(CLIENTS);
    List<DjlClientApp> apps = new ArrayList<>();
    try (FlotillaServer server = FlotillaServer.start(ServerSettings.builder().host("127.0.0.1").port(0).build())) {
      List<Future<?>> running = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        String id = "client-" + c;
        DjlClientApp app = new DjlClientApp("mlp", train.subset(parts.get(c)),
            testParts == null ? null : test.subset(testParts.get(c)), id.hashCode());
        apps.add(app);
        ClientSettings settings = ClientSettings.builder("127.0.0.1:" + server.port(), id)
            .properties(Config.of("num_examples", parts.get(c).length)).build();
        running.add(threads.submit(() -> {
          try (FlotillaClient client = new FlotillaClient(settings, app, mods)) {
            client.run();
          }
          return null;
        }));
      }
      RunSummary summary = new SyncWorkflow(server.registry(), sync).run(strategy, initial, (r, m) -> models.add(m));
      for (Future<?> f : running) {
        f.get(30, TimeUnit.SECONDS);
      }
      return summary;
    } finally {
      threads.shutdownNow();
      apps.forEach(DjlClientApp::close);
    }
  }

  private static double maxDifference(ModelWeights a, ModelWeights b) {
    double max = 0;
    for (int t = 0; t < a.count(); t++) {
      for (int i = 0; i < a.get(t).size(); i++) {
        max = Math.max(max, Math.abs(a.get(t).get(i) - b.get(t).get(i)));
      }
    }
    return max;
  }
}
