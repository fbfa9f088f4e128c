package dev.flotilla.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.client.ClientState;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.strategy.StrategyState;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.workflow.RoundRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every database behind a {@link RunStore} must do; run on the embedded default and on PostgreSQL. */
abstract class RunStoreContract {
  @TempDir
  Path stateDir;

  /** The store under test, with checkpoint files in {@code stateDir}. */
  abstract RunStore open(Path stateDir) throws Exception;

  /** A run id no other test (or earlier run of the suite, on a shared server) uses. */
  static String freshId() {
    return "run-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static ModelWeights model(float base) {
    return ModelWeights.of(Tensor.of("w", new int[] {2, 2}, new float[] {base, base + 1, -base, Float.MIN_VALUE}),
        Tensor.of("b", new int[] {3}, new float[] {0.1f, 0.2f, base}));
  }

  @Test
  void roundsCheckpointsAndClientsReadBackExactly() throws Exception {
    String id = freshId();
    RunSpec spec = new RunSpec("fedadam (server lr 0.1)", "cnn", 3, 42);
    RoundRecord round0 = new RoundRecord(0, 0.1, 2.3, null, null, 0, 0, 1.5, 0, 0);
    RoundRecord round1 = new RoundRecord(1, 0.4, 1.7, 0.38, 1.8, 2, 1, 3.25, 1234, 5678,
        Metrics.of("train_loss", 1.9, "epsilon", 0.123456789012345, "odd", Double.NaN));
    StrategyState state = new StrategyState(Config.of("kind", "fedadam", "step", 1L, "lr", 0.1, "on", true),
        ModelWeights.of(Tensor.of("m/w", new int[] {2}, new float[] {1e-7f, -3f})));
    try (RunStore store = open(stateDir)) {
      StoredRun created = store.create(id, spec);
      assertThat(created.status()).isEqualTo(RunStatus.RUNNING);
      assertThat(store.lastCheckpoint(id)).isEmpty();
      store.saveRound(id, round0, model(1), StrategyState.empty(), List.of("site-a", "site-b"));
      store.saveRound(id, round1, model(2), state, List.of("site-b", "site-c"));
    }
    try (RunStore store = open(stateDir)) { // what a restarted server sees
      StoredRun run = store.find(id).orElseThrow();
      assertThat(run.spec()).isEqualTo(spec);
      assertThat(run.lastRound()).hasValue(1);
      assertThat(run.status()).isEqualTo(RunStatus.RUNNING);
      assertThat(store.latestUnfinished().map(StoredRun::id)).isPresent();
      List<RoundRecord> rounds = store.rounds(id);
      assertThat(rounds).containsExactly(round0, round1);
      Checkpoint last = store.lastCheckpoint(id).orElseThrow();
      assertThat(last.round()).isEqualTo(1);
      assertThat(last.model().contentEquals(model(2))).isTrue();
      assertThat(last.state().scalars()).isEqualTo(state.scalars());
      assertThat(last.state().scalars().values().get("step")).isInstanceOf(Long.class);
      assertThat(last.state().arrays().contentEquals(state.arrays())).isTrue();
      assertThat(store.clients(id)).containsExactly(new RunStore.ClientSeen("site-a", 0, 0),
          new RunStore.ClientSeen("site-b", 0, 1), new RunStore.ClientSeen("site-c", 1, 1));

      store.setStatus(id, RunStatus.FINISHED);
      assertThat(store.find(id).orElseThrow().status()).isEqualTo(RunStatus.FINISHED);
      assertThat(store.list()).extracting(StoredRun::id).contains(id);
    }
  }

  @Test
  void theWorkflowOfARunReadsBack() throws Exception {
    String async = freshId();
    String sync = freshId();
    RunSpec asyncSpec = new RunSpec("fedavgm", "logreg", 6, 3,
        "async buffer 2, concurrency 2, polynomial:0.5, max staleness 4");
    try (RunStore store = open(stateDir)) {
      store.create(async, asyncSpec);
      store.create(sync, new RunSpec("fedavg", "mlp", 2, 1));
    }
    try (RunStore store = open(stateDir)) {
      assertThat(store.find(async).orElseThrow().spec()).isEqualTo(asyncSpec);
      assertThat(store.find(async).orElseThrow().spec().isSync()).isFalse();
      assertThat(store.find(sync).orElseThrow().spec().workflow()).isEqualTo(RunSpec.SYNC);
    }
  }

  @Test
  void aRunsKindAndSettingsReadBackAndASpecNamesWhatDiffers() throws Exception {
    String sim = freshId();
    String server = freshId();
    RunSpec simulation = new RunSpec("fedavg", "mlp", 4, 7, RunSpec.SIMULATION, "--clients=20; --scheme=iid");
    try (RunStore store = open(stateDir)) {
      store.create(sim, simulation);
      store.create(server, new RunSpec("fedavg", "mlp", 4, 7));
      assertThat(store.find(sim).orElseThrow().spec()).isEqualTo(simulation);
      assertThat(store.find(server).orElseThrow().spec().kind()).isEqualTo(RunSpec.SERVER);
      assertThat(store.find(server).orElseThrow().spec().settings()).isEmpty();
    }
    assertThat(simulation.mismatch(simulation)).isEmpty();
    assertThat(simulation.mismatch(new RunSpec("fedavg", "mlp", 4, 7, RunSpec.SIMULATION,
        "--clients=20; --scheme=dirichlet:0.5"))).contains("--scheme iid, not dirichlet:0.5");
    assertThat(simulation.mismatch(new RunSpec("fedavg", "mlp", 4, 7, RunSpec.SIMULATION, "--clients=20")))
        .contains("--scheme iid, not (none)");
    assertThat(simulation.mismatch(new RunSpec("fedavg", "mlp", 4, 7)))
        .contains("flotilla simulate, not flotilla server");
  }

  @Test
  void aRunIdIsUsedOnceAndMustNameAFolder() throws Exception {
    String id = freshId();
    try (RunStore store = open(stateDir)) {
      store.create(id, new RunSpec("fedavg", "mlp", 1, 1));
      assertThatThrownBy(() -> store.create(id, new RunSpec("fedavg", "mlp", 1, 1)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exists already");
      assertThatThrownBy(() -> store.create("../escape", new RunSpec("fedavg", "mlp", 1, 1)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("run id '../escape'");
    }
  }

  @Test
  void aDamagedCheckpointFileIsReportedNotLoaded() throws Exception {
    String id = freshId();
    try (RunStore store = open(stateDir)) {
      store.create(id, new RunSpec("fedavg", "mlp", 2, 1));
      store.saveRound(id, new RoundRecord(1, null, null, null, null, 1, 0, 1, 0, 0), model(3),
          StrategyState.empty(), List.of("a"));
      Path file = stateDir.resolve("runs").resolve(id).resolve("round-00001.model.safetensors");
      byte[] bytes = Files.readAllBytes(file);
      bytes[bytes.length - 1] ^= 1;
      Files.write(file, bytes);
      assertThatThrownBy(() -> store.lastCheckpoint(id)).isInstanceOf(FlotillaException.class)
          .hasMessageContaining("round-00001.model.safetensors").hasMessageContaining("changed or damaged");
      Files.delete(file);
      assertThatThrownBy(() -> store.lastCheckpoint(id)).hasMessageContaining("is missing");
    }
  }

  @Test
  void onlyTheLastCheckpointsAreKeptWhenAskedAndEveryRoundsRecordStays() throws Exception {
    String id = freshId();
    StrategyState state = new StrategyState(Config.of("step", 1L),
        ModelWeights.of(Tensor.of("m/w", new int[] {1}, new float[] {1})));
    try (RunStore store = open(stateDir)) {
      store.create(id, new RunSpec("fedadam", "mlp", 4, 1));
      for (int round = 1; round <= 4; round++) {
        store.saveRound(id, new RoundRecord(round, null, null, null, null, 1, 0, 1, 0, 0), model(round), state,
            List.of("a"), 2);
      }
      assertThat(store.rounds(id)).hasSize(4);
      assertThat(store.lastCheckpoint(id).orElseThrow().model().contentEquals(model(4))).isTrue();
      try (java.util.stream.Stream<Path> files = Files.list(stateDir.resolve("runs").resolve(id))) {
        assertThat(files.map(f -> f.getFileName().toString()).sorted()).containsExactly(
            "round-00003.model.safetensors", "round-00003.state.safetensors",
            "round-00004.model.safetensors", "round-00004.state.safetensors");
      }
    }
  }

  @Test
  void aRoundSavedTwiceIsRefusedAndTheRunStaysAtItsLastGoodRound() throws Exception {
    String id = freshId();
    RoundRecord round1 = new RoundRecord(1, null, null, null, null, 1, 0, 1, 0, 0);
    try (RunStore store = open(stateDir)) {
      store.create(id, new RunSpec("fedavg", "mlp", 2, 1));
      store.saveRound(id, round1, model(1), StrategyState.empty(), List.of("a"));
      ClientState changed = new ClientState();
      changed.putConfig("k", Config.of("v", 1L));
      assertThatThrownBy(() -> store.saveRound(id, round1, model(9), StrategyState.empty(), List.of("a"), 0,
          Map.of("a", changed)))
          .isInstanceOf(FlotillaException.class).hasMessageContaining("round 1 of run " + id + " is already stored");
      assertThat(store.rounds(id)).containsExactly(round1);
      assertThat(store.clients(id)).hasSize(1);
      // its checkpoint is untouched: the same file (its SHA-256 still matches), the first model, no client states
      assertThat(store.lastCheckpoint(id).orElseThrow().model().contentEquals(model(1))).isTrue();
      assertThat(stateDir.resolve("runs").resolve(id).resolve("round-00001.clients.safetensors")).doesNotExist();
      assertThat(store.clientStates(id, 1)).isEmpty();
    }
  }

  private static ClientState clientState(float base, long step) {
    ClientState state = new ClientState();
    state.putArrays("ef/residual", ModelWeights.of(Tensor.of("r", new int[] {3}, new float[] {base, -base, 0.5f})));
    state.putConfig("dp", Config.of("spent", base / 10.0, "steps", step, "name", "a/b"));
    return state;
  }

  private static void assertSameStates(Map<String, ClientState> actual, Map<String, ClientState> expected) {
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    expected.forEach((id, e) -> {
      ClientState a = actual.get(id);
      assertThat(a.keys()).as("keys of %s", id).isEqualTo(e.keys());
      for (String key : e.keys()) {
        assertThat(a.config(key)).as("%s's config %s", id, key).isEqualTo(e.config(key));
        assertThat(a.arrays(key).isPresent()).as("%s has arrays %s", id, key).isEqualTo(e.arrays(key).isPresent());
        e.arrays(key).ifPresent(arrays -> assertThat(a.arrays(key).orElseThrow().contentEquals(arrays))
            .as("%s's arrays %s", id, key).isTrue());
      }
    });
  }

  private static RoundRecord plainRound(int round) {
    return new RoundRecord(round, null, null, null, null, 1, 0, 1, 0, 0);
  }

  @Test
  void clientStatesAreStoredOnlyWhenChangedAndReadBackAsOfAnyRound() throws Exception {
    String id = freshId();
    ClientState a1 = clientState(1, 1);
    ClientState b1 = clientState(2, 1);
    ClientState c1 = new ClientState();
    c1.putConfig("only/scalars", Config.of("n", 3L, "on", true));
    ClientState b2 = clientState(20, 2);
    ClientState c3 = clientState(30, 3);
    ClientState emptyArrays = new ClientState();
    emptyArrays.putArrays("none", ModelWeights.empty());
    try (RunStore store = open(stateDir)) {
      store.create(id, new RunSpec("fedavg", "mlp", 3, 1, RunSpec.SIMULATION, ""));
      store.saveRound(id, plainRound(1), model(1), StrategyState.empty(), List.of(), 0,
          Map.of("site/a", a1, "b", b1, "c", c1));
      store.saveRound(id, plainRound(2), model(2), StrategyState.empty(), List.of(), 0, Map.of("b", b2));
      store.saveRound(id, plainRound(3), model(3), StrategyState.empty(), List.of(), 0,
          Map.of("site/a", new ClientState(), "c", c3, "d", emptyArrays));
    }
    try (RunStore store = open(stateDir)) {
      assertThat(store.clientStateHistory(id)).extracting(RunStore.ClientStateSaved::round,
          RunStore.ClientStateSaved::clientId).containsExactly(
              org.assertj.core.groups.Tuple.tuple(1, "b"), org.assertj.core.groups.Tuple.tuple(1, "c"),
              org.assertj.core.groups.Tuple.tuple(1, "site/a"), org.assertj.core.groups.Tuple.tuple(2, "b"),
              org.assertj.core.groups.Tuple.tuple(3, "c"), org.assertj.core.groups.Tuple.tuple(3, "d"),
              org.assertj.core.groups.Tuple.tuple(3, "site/a"));
      assertSameStates(store.clientStates(id, 1), Map.of("site/a", a1, "b", b1, "c", c1));
      assertSameStates(store.clientStates(id, 2), Map.of("site/a", a1, "b", b2, "c", c1));
      assertSameStates(store.clientStates(id, 3), Map.of("b", b2, "c", c3, "d", emptyArrays));
      assertThat(store.clientStates(id, 0)).isEmpty();
      assertThat(store.clientStates(id, 1).get("c").config("only/scalars").orElseThrow().values().get("n"))
          .isInstanceOf(Long.class);
    }
  }

  @Test
  void aRoundWritesOnlyItsChangedClientsAndAnUncommittedRoundIsNeverRead() throws Exception {
    String id = freshId();
    Map<String, ClientState> all = new java.util.TreeMap<>();
    for (int i = 0; i < 100; i++) {
      all.put(String.format("v%03d", i), clientState(i, 1));
    }
    try (RunStore store = open(stateDir)) {
      store.create(id, new RunSpec("fedavg", "mlp", 3, 1, RunSpec.SIMULATION, ""));
      store.saveRound(id, plainRound(1), model(1), StrategyState.empty(), List.of(), 0, all);
      long firstBytes = Files.size(stateDir.resolve("runs").resolve(id).resolve("round-00001.clients.safetensors"));
      Map<String, ClientState> changed = Map.of("v007", clientState(70, 2), "v042", clientState(420, 2));
      store.saveRound(id, plainRound(2), model(2), StrategyState.empty(), List.of(), 0, changed);
      List<RunStore.ClientStateSaved> second = store.clientStateHistory(id).stream().filter(r -> r.round() == 2)
          .toList();
      assertThat(second).extracting(RunStore.ClientStateSaved::clientId).containsExactly("v007", "v042");
      assertThat(second).allSatisfy(r -> assertThat(r.bytes()).isPositive());
      long secondBytes = Files.size(stateDir.resolve("runs").resolve(id).resolve("round-00002.clients.safetensors"));
      assertThat(secondBytes).as("2 of 100 clients' arrays").isLessThan(firstBytes / 10);

      // round 3 dies after writing its file, before its transaction: a resume after round 2 never sees it
      store.checkpoints().write(id, 3, "clients", ModelWeights.of(Tensor.of("v007/ef%2Fresidual/r", new int[] {3},
          new float[] {9, 9, 9})));
      Map<String, ClientState> expected = new java.util.TreeMap<>(all);
      expected.putAll(changed);
      assertSameStates(store.clientStates(id, 2), expected);
      assertSameStates(store.clientStates(id, 1), all);
      store.saveRound(id, plainRound(3), model(3), StrategyState.empty(), List.of(), 0,
          Map.of("v007", clientState(700, 3)));
      assertThat(store.clientStates(id, 3).get("v007").config("dp").orElseThrow().values().get("steps"))
          .isEqualTo(3L);
    }
  }

  @Test
  void keepingFewCheckpointsDropsOnlyClientStatesThatALaterOneReplaces() throws Exception {
    String id = freshId();
    ClientState onlyOnce = clientState(5, 1);
    try (RunStore store = open(stateDir)) {
      store.create(id, new RunSpec("fedavg", "mlp", 4, 1, RunSpec.SIMULATION, ""));
      store.saveRound(id, plainRound(1), model(1), StrategyState.empty(), List.of(), 2,
          Map.of("once", onlyOnce, "often", clientState(1, 1)));
      for (int round = 2; round <= 4; round++) {
        store.saveRound(id, plainRound(round), model(round), StrategyState.empty(), List.of(), 2,
            Map.of("often", clientState(round, round)));
      }
      assertThat(store.clientStateHistory(id)).extracting(RunStore.ClientStateSaved::clientId,
          RunStore.ClientStateSaved::round).containsExactly(org.assertj.core.groups.Tuple.tuple("once", 1),
              org.assertj.core.groups.Tuple.tuple("often", 3), org.assertj.core.groups.Tuple.tuple("often", 4));
      assertSameStates(store.clientStates(id, 4), Map.of("once", onlyOnce, "often", clientState(4, 4)));
      assertSameStates(store.clientStates(id, 3), Map.of("once", onlyOnce, "often", clientState(3, 3)));
      Path runDir = stateDir.resolve("runs").resolve(id);
      assertThat(runDir.resolve("round-00001.clients.safetensors")).as("still holds 'once'").exists();
      assertThat(runDir.resolve("round-00002.clients.safetensors")).doesNotExist();
    }
  }
}
