package dev.flotilla.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.FedAdam;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.StrategyState;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.testing.FakeClientApp;
import dev.flotilla.core.testing.TestModels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * An asynchronous run stopped after some versions goes on from its last checkpoint: the versions continue, the
 * history is whole, the server optimiser's moments and step are those of the checkpoint, and the clients' first tasks
 * carry the checkpointed model.
 */
class AsyncWorkflowResumeTest {
  private static final ModelWeights INITIAL = TestModels.small();
  private static final int VERSIONS = 6;

  private record Saved(RoundRecord record, ModelWeights model, StrategyState state) {}

  private static AsyncSettings settings() {
    return AsyncSettings.builder().versions(VERSIONS).concurrency(2).bufferSize(2).staleness(Staleness.polynomial(1))
        .maxStaleness(4).minClients(2).taskTimeout(Duration.ofSeconds(20)).seed(3).evaluateInitial(true).build();
  }

  private static TaskTimes times() {
    Map<String, Double> seconds = Map.of("a", 1.0, "b", 1.7);
    return (client, request) -> seconds.get(client.id());
  }

  /** Two clients whose update depends on the model they get; {@code received} collects the models they are sent. */
  private static LocalFleet fleet(List<ModelWeights> received) {
    return new LocalFleet(Executors.newFixedThreadPool(2))
        .add("a", FakeClientApp.training(ins -> {
          received.add(TestModels.copy(ins.model()));
          return new TrainResult(TestModels.plus(ins.model(), 0.25f), 10, Metrics.empty());
        }))
        .add("b", FakeClientApp.training(ins -> {
          received.add(TestModels.copy(ins.model()));
          return new TrainResult(TestModels.plus(ins.model(), -0.5f), 30, Metrics.empty());
        }));
  }

  private static FedAdam strategy() {
    return new FedAdam(FedAvg.Settings.builder().build());
  }

  @Test
  void aStoppedRunGoesOnFromItsLastCheckpoint() throws Exception {
    // the first run stops (the process dies) while version 3 is being stored: versions 0 to 2 are checkpointed
    List<Saved> saved = new ArrayList<>();
    assertThatThrownBy(() -> new AsyncWorkflow(fleet(Collections.synchronizedList(new ArrayList<>())), settings(),
        times()).run(strategy(), INITIAL, (RoundRecord record, ModelWeights model, StrategyState state) -> {
          if (record.round() == 3) {
            throw new IllegalStateException("crash");
          }
          saved.add(new Saved(record, TestModels.copy(model), new StrategyState(state.scalars(), TestModels.copy(state.arrays()))));
        })).hasMessage("crash");
    assertThat(saved).extracting(s -> s.record().round()).containsExactly(0, 1, 2);
    Saved at = saved.get(2);
    assertThat(at.state().scalars().getLong("step", -1)).as("FedAdam's step at version 2").isEqualTo(2);
    assertThat(at.state().arrays().isEmpty()).as("FedAdam's moments are in the checkpoint").isFalse();

    // the restart: a fresh strategy restored from version 2's state, the model and history of version 2
    FedAdam restored = strategy();
    restored.restore(at.state());
    List<ModelWeights> received = Collections.synchronizedList(new ArrayList<>());
    List<Saved> after = new ArrayList<>();
    RunSummary resumed = new AsyncWorkflow(fleet(received), settings(), times()).run(restored,
        new ResumePoint(2, at.model(), saved.stream().map(Saved::record).toList()),
        (RoundRecord record, ModelWeights model, StrategyState state) ->
            after.add(new Saved(record, TestModels.copy(model), new StrategyState(state.scalars(), TestModels.copy(state.arrays())))));

    assertThat(after).extracting(s -> s.record().round()).as("versions go on, none repeated").containsExactly(3, 4,
        5, 6);
    assertThat(resumed.records()).extracting(RoundRecord::round).containsExactly(0, 1, 2, 3, 4, 5, 6);
    assertThat(resumed.records().subList(0, 3)).isEqualTo(saved.stream().map(Saved::record).toList());
    assertThat(received.get(0).contentEquals(at.model())).as("the first task carries the checkpointed model")
        .isTrue();
    assertThat(received.get(1).contentEquals(at.model())).isTrue();
    assertThat(after).extracting(s -> s.state().scalars().getLong("step", -1))
        .as("the optimiser's step goes on from the checkpoint's").containsExactly(3L, 4L, 5L, 6L);
    assertThat(after).extracting(s -> s.record().metrics().get("server_step").orElseThrow())
        .containsExactly(3.0, 4.0, 5.0, 6.0);
    assertThat(after.get(0).record().metrics().get("sim_seconds").orElseThrow())
        .as("the simulated clock goes on too")
        .isGreaterThan(at.record().metrics().get("sim_seconds").orElseThrow());
    assertThat(resumed.finalModel().contentEquals(after.get(3).model())).isTrue();

    // the moments matter: the same resume with a fresh optimiser ends elsewhere
    RunSummary withoutState = new AsyncWorkflow(fleet(Collections.synchronizedList(new ArrayList<>())), settings(),
        times()).run(strategy(), new ResumePoint(2, at.model(), saved.stream().map(Saved::record).toList()),
        (record, model, state) -> { });
    assertThat(withoutState.finalModel().contentEquals(resumed.finalModel())).isFalse();
  }

  @Test
  void aRunResumedAfterItsLastVersionMakesNoNewOne() throws Exception {
    List<Saved> saved = new ArrayList<>();
    RunSummary whole = new AsyncWorkflow(fleet(Collections.synchronizedList(new ArrayList<>())), settings(), times())
        .run(strategy(), INITIAL, (RoundRecord record, ModelWeights model, StrategyState state) ->
            saved.add(new Saved(record, TestModels.copy(model), state)));
    assertThat(saved).extracting(s -> s.record().round()).containsExactly(0, 1, 2, 3, 4, 5, 6);
    List<Integer> more = new ArrayList<>();
    RunSummary again = new AsyncWorkflow(fleet(Collections.synchronizedList(new ArrayList<>())), settings(), times())
        .run(strategy(), new ResumePoint(VERSIONS, whole.finalModel(), whole.records()),
            (record, model, state) -> more.add(record.round()));
    assertThat(more).isEmpty();
    assertThat(again.finalModel().contentEquals(whole.finalModel())).isTrue();
  }
}
