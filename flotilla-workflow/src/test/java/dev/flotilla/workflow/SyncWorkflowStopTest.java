package dev.flotilla.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.privacy.DpFixedClipping;
import dev.flotilla.core.privacy.DpSettings;
import dev.flotilla.core.privacy.PrivacyMetrics;
import dev.flotilla.core.privacy.RdpAccountant;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.testing.FakeClientApp;
import dev.flotilla.core.testing.TestModels;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A strategy that gives a {@code stopReason} ends the run before the round it refused. */
class SyncWorkflowStopTest {
  @Test
  void aRunWithASmallPrivacyBudgetEndsBeforeExceedingIt() throws Exception {
    FakeClientApp a = FakeClientApp.adding(0.01f, 10);
    FakeClientApp b = FakeClientApp.adding(0.02f, 10);
    LocalFleet fleet = new LocalFleet().add("a", a).add("b", b);
    double z = 2.0;
    // all clients every round (q = 1): the budget lies between the epsilons of 3 and 4 rounds
    double target = (RdpAccountant.epsilon(1, z, 3, 1e-5) + RdpAccountant.epsilon(1, z, 4, 1e-5)) / 2;
    DpFixedClipping strategy = new DpFixedClipping(new FedAvg(),
        DpSettings.builder().noiseMultiplier(z).clip(1).targetEpsilon(target).noiseSeed(1).build());
    SyncSettings settings = SyncSettings.builder().rounds(10).minClients(2).minFitClients(1)
        .roundTimeout(Duration.ofSeconds(5)).seed(3).evaluateInitial(false).build();

    ModelWeights initial = TestModels.small();
    RunSummary run = new SyncWorkflow(fleet, settings).run(strategy, initial, (record, model) -> { });

    assertThat(run.records()).hasSize(3);
    assertThat(run.records()).allSatisfy(r ->
        assertThat(r.metrics().get(PrivacyMetrics.EPSILON).orElseThrow()).isLessThanOrEqualTo(target));
    assertThat(a.trainCalls()).hasSize(3);
    assertThat(strategy.stopReason()).hasValueSatisfying(reason -> assertThat(reason).contains("round 4"));
  }
}
