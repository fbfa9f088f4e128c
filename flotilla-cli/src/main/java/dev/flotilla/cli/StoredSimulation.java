package dev.flotilla.cli;

import dev.flotilla.core.client.ClientState;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.core.strategy.ClientTask;
import dev.flotilla.core.strategy.ForwardingStrategy;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.strategy.StrategyState;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.sim.ClientStates;
import dev.flotilla.sim.SimulatedFleet;
import dev.flotilla.store.RunSpec;
import dev.flotilla.workflow.CheckpointListener;
import dev.flotilla.workflow.ResumePoint;
import dev.flotilla.workflow.RoundListener;
import dev.flotilla.workflow.RoundRecord;
import dev.flotilla.workflow.TrainStage;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A synchronous simulation's link to the run store ({@code flotilla simulate --state-dir}): after every round the
 * round's record, the global model, the strategy's state and the {@code Context} state (personal layers,
 * error-feedback residuals, local DP accounting, keys) of every virtual client whose state the round changed are
 * saved (the others keep the state stored before: with 10,000 clients and 10 per round, a round writes at most 10);
 * with {@code --resume} all of them are restored, each client's state as of the resumed round, and the simulation
 * goes on with the next round. Runs stored before client states were kept apart hold them in the strategy's state
 * ({@link ClientStates#merge}); they are restored from there and stored apart with the next round. Everything
 * else a round depends on (the partition, the initial model, sampling, local shuffling, noise) is drawn from the seed
 * and the round, so the resumed rounds are those of an uninterrupted run.
 *
 * <p>The clients' states are taken when the next round is configured, before its first request leaves (the workflow
 * passes on a round's record while the next round trains), or, for the last round, when its record arrives.
 */
final class StoredSimulation {
  private final RunPersistence persistence;
  private final SimulatedFleet fleet;
  private volatile Snapshot snapshot;
  /** The clients' states as the store has them after the last saved round; used on the workflow's thread. */
  private Map<String, ClientState> saved = Map.of();

  private record Snapshot(int round, Map<String, ClientState> states) {}

  StoredSimulation(RunPersistence persistence, SimulatedFleet fleet) {
    this.persistence = persistence;
    this.fleet = fleet;
  }

  /**
   * What a run of {@code settings} on {@code trainExamples} training and {@code testExamples} test examples is stored
   * as: kind {@link RunSpec#SIMULATION}, its workflow (synchronous, or asynchronous with its options), and every
   * setting that changes its results (not {@code --workers}, which does not, nor {@code --out}), named as the options
   * of {@code flotilla simulate}.
   */
  static RunSpec spec(SimulationSettings s, int trainExamples, int testExamples, TrainStage secure) {
    String settings = String.join("; ",
        "--clients=" + s.clients(),
        "--clients-per-round=" + s.clientsPerRound(),
        "--scheme=" + s.partitioner().spec(),
        "training=" + s.trainConfig().values(),
        "--fraction-evaluate=" + s.fractionEvaluate(),
        "--byzantine=" + (s.byzantine() == null ? "none" : s.byzantine()),
        "--initial-model=" + (s.initialModel() == null ? "none" : s.initialModel().toAbsolutePath()),
        "--client-speed=" + s.clientSpeed(),
        "--round-timeout=" + s.roundTimeout(),
        "--train-examples=" + trainExamples,
        "--test-examples=" + testExamples,
        "secure aggregation=" + (secure == null ? "none" : secure));
    return new RunSpec(s.strategy().describe(), s.model(), s.rounds(), s.seed(),
        s.async() == null ? RunSpec.SYNC : s.async().storedSpec(), RunSpec.SIMULATION, settings);
  }

  /**
   * Restores the strategy's and the clients' state of the checkpoint the run goes on from, and returns where it goes
   * on; empty for a new run, or a resumed one that completed no round. Call before the first round.
   */
  Optional<ResumePoint> resume(Strategy strategy) {
    Optional<StrategyState> stored = persistence.resumedState();
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    ClientStates.Split split = ClientStates.split(stored.get());
    strategy.restore(split.strategy());
    Map<String, ClientState> apart = persistence.resumedClientStates();
    Map<String, ClientState> clients = new TreeMap<>(split.clients()); // a run stored before they were kept apart
    clients.putAll(apart);
    fleet.restoreClientStates(clients);
    saved = apart; // states found only in the strategy's state are stored apart with the next round
    return persistence.resumePoint();
  }

  /** {@code strategy}, taking the clients' states each time a round is configured: give the workflow this one. */
  Strategy snapshotting(Strategy strategy) {
    return new ForwardingStrategy(strategy) {
      @Override
      public List<ClientTask<TrainInstructions>> configureTrain(RoundContext ctx, ModelWeights global,
          List<ClientInfo> available) {
        snapshot = new Snapshot(ctx.round() - 1, fleet.clientStates());
        return inner.configureTrain(ctx, global, available);
      }

      @Override
      public String name() {
        return inner.name();
      }
    };
  }

  /**
   * The workflow's listener: times each record ({@code timed}), saves it with the model, the strategy's state and
   * the states of the clients that changed since the last saved round, then passes the timed record to
   * {@code display}.
   */
  CheckpointListener listener(SimulatedRounds timed, RoundListener display) {
    return (record, model, state) -> {
      RoundRecord rec = timed.add(record);
      Snapshot taken = snapshot;
      Map<String, ClientState> clients = taken != null && taken.round() == record.round() ? taken.states()
          : fleet.clientStates();
      save(rec, model, state, clients);
      display.onRound(rec, model);
    };
  }

  /**
   * Saves a round (or an asynchronous run's version) with the strategy's state and the clients' states
   * {@code clients}, writing only those that changed since the last saved round. On the workflow's thread.
   */
  void save(RoundRecord rec, ModelWeights model, StrategyState state, Map<String, ClientState> clients) {
    // merging no client refuses a strategy state with entries named as a stored run's clients (clients/…), which a
    // resume would take for clients' states
    persistence.save(rec, model, ClientStates.merge(state, Map.of()), List.of(), ClientStates.changed(saved, clients));
    saved = clients;
  }
}
