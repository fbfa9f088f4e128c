package dev.flotilla.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.privacy.DpFixedClipping;
import dev.flotilla.core.privacy.DpSettings;
import dev.flotilla.core.privacy.PrivacyMetrics;
import dev.flotilla.core.privacy.RdpAccountant;
import dev.flotilla.core.strategy.FedAdam;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.StrategyState;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.testing.FakeClientApp;
import dev.flotilla.core.testing.TestModels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A run resumed from the checkpoint of a round makes the rounds of the run that was never interrupted. */
class SyncWorkflowResumeTest {
  private static final ModelWeights INITIAL = TestModels.small();

  private record Saved(RoundRecord record, ModelWeights model, StrategyState state) {}

  private static SyncSettings settings() {
    return SyncSettings.builder().rounds(5).minClients(2).minFitClients(2).roundTimeout(Duration.ofSeconds(5))
        .seed(9).build();
  }

  /** Two deterministic clients whose update depends on the model they get, so every round's model matters. */
  private static LocalFleet fleet() {
    return new LocalFleet()
        .add("a", FakeClientApp.training(ins -> new TrainResult(TestModels.plus(ins.model(), 0.25f), 10,
            dev.flotilla.core.message.Metrics.empty())))
        .add("b", FakeClientApp.training(ins -> new TrainResult(TestModels.plus(ins.model(), -0.5f), 30,
            dev.flotilla.core.message.Metrics.empty())));
  }

  private static FedAdam strategy() {
    return new FedAdam(FedAvg.Settings.builder().build());
  }

  @Test
  void resumedRunEndsWithTheModelOfTheUninterruptedRun() throws Exception {
    List<Saved> saved = new ArrayList<>();
    RunSummary whole = new SyncWorkflow(fleet(), settings()).run(strategy(), INITIAL,
        (RoundRecord record, ModelWeights model, StrategyState state) ->
            saved.add(new Saved(record, model, new StrategyState(state.scalars(), TestModels.copy(state.arrays())))));
    assertThat(saved).extracting(s -> s.record().round()).containsExactly(0, 1, 2, 3, 4, 5);
    assertThat(saved.get(0).state().isEmpty()).as("no optimiser step before round 1").isTrue();
    assertThat(saved.get(2).state().scalars().getLong("step", -1)).isEqualTo(2);

    // the server went down during round 3: go on from round 2's checkpoint with a fresh strategy
    Saved at = saved.get(2);
    FedAdam restored = strategy();
    restored.restore(at.state());
    List<Integer> resumedRounds = new ArrayList<>();
    RunSummary resumed = new SyncWorkflow(fleet(), settings()).run(restored,
        new ResumePoint(2, at.model(), List.of(saved.get(0).record(), saved.get(1).record(), at.record())),
        (record, model, state) -> resumedRounds.add(record.round()));

    assertThat(resumedRounds).containsExactly(3, 4, 5);
    assertThat(resumed.records()).extracting(RoundRecord::round).containsExactly(0, 1, 2, 3, 4, 5);
    assertThat(resumed.finalModel().contentEquals(whole.finalModel())).isTrue();

    // without the optimiser's moments the same resume ends elsewhere: the state is what makes it equal
    RunSummary withoutState = new SyncWorkflow(fleet(), settings()).run(strategy(),
        new ResumePoint(2, at.model(), List.of(at.record())), (record, model, state) -> { });
    assertThat(withoutState.finalModel().contentEquals(whole.finalModel())).isFalse();
  }

  @Test
  void theAccountantGoesOnWhereItWasSoTheBudgetStopsTheSameRound() throws Exception {
    double z = 2.0;
    // all clients every round (q = 1): the budget lies between the epsilons of 5 and 6 rounds
    double target = (RdpAccountant.epsilon(1, z, 5, 1e-5) + RdpAccountant.epsilon(1, z, 6, 1e-5)) / 2;
    java.util.function.Supplier<DpFixedClipping> dp = () -> new DpFixedClipping(strategy(),
        DpSettings.builder().noiseMultiplier(z).clip(1).targetEpsilon(target).noiseSeed(5).build());
    SyncSettings settings = SyncSettings.builder().rounds(10).minClients(2).minFitClients(2)
        .roundTimeout(Duration.ofSeconds(5)).seed(9).evaluateInitial(false).build();
    List<Saved> saved = new ArrayList<>();
    RunSummary whole = new SyncWorkflow(fleet(), settings).run(dp.get(), INITIAL,
        (RoundRecord record, ModelWeights model, StrategyState state) ->
            saved.add(new Saved(record, model, new StrategyState(state.scalars(), TestModels.copy(state.arrays())))));
    assertThat(whole.records()).extracting(RoundRecord::round).containsExactly(1, 2, 3, 4, 5);

    Saved at = saved.get(1); // round 2
    DpFixedClipping restored = dp.get();
    restored.restore(at.state());
    RunSummary resumed = new SyncWorkflow(fleet(), settings).run(restored,
        new ResumePoint(2, at.model(), List.of(saved.get(0).record(), at.record())), (record, model, state) -> { });

    assertThat(resumed.records()).extracting(RoundRecord::round).containsExactly(1, 2, 3, 4, 5);
    assertThat(resumed.records()).extracting(r -> r.metrics().get(PrivacyMetrics.EPSILON).orElseThrow())
        .isEqualTo(whole.records().stream().map(r -> r.metrics().get(PrivacyMetrics.EPSILON).orElseThrow()).toList());
    assertThat(resumed.finalModel().contentEquals(whole.finalModel())).isTrue();
    assertThat(restored.stopReason()).hasValueSatisfying(reason -> assertThat(reason).contains("round 6"));
  }

  @Test
  void resumingAfterTheLastRoundRunsNothing() throws Exception {
    List<Saved> saved = new ArrayList<>();
    RunSummary whole = new SyncWorkflow(fleet(), settings()).run(strategy(), INITIAL,
        (RoundRecord record, ModelWeights model, StrategyState state) -> saved.add(new Saved(record, model, state)));
    List<Integer> rounds = new ArrayList<>();
    RunSummary again = new SyncWorkflow(fleet(), settings()).run(strategy(),
        new ResumePoint(5, whole.finalModel(), whole.records()), (record, model, state) -> rounds.add(record.round()));
    assertThat(rounds).isEmpty();
    assertThat(again.finalModel()).isSameAs(whole.finalModel());
    assertThat(again.records()).hasSize(6);
  }
}
