package dev.flotilla.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.message.Metadata;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.AggregateResult;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.ResultStream;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.testing.FakeClientApp;
import dev.flotilla.core.testing.TestModels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The round loop over an in-process fleet: what reaches the record, the strategy's check, request metadata. */
class SyncWorkflowTest {
  private static final ModelWeights INITIAL = TestModels.small();

  private static SyncSettings settings(int rounds) {
    return SyncSettings.builder().rounds(rounds).minClients(1).minFitClients(1).roundTimeout(Duration.ofSeconds(5))
        .seed(3).evaluateInitial(false).build();
  }

  @Test
  void clientTrainMetricsAreAveragedByExamplesAndStrategyMetricsRecorded() throws Exception {
    InProcessFleet fleet = new InProcessFleet()
        .add("a", FakeClientApp.training(ins -> new TrainResult(ins.model(), 10, Metrics.of("train_loss", 1.0))))
        .add("b", FakeClientApp.training(ins -> new TrainResult(ins.model(), 30,
            Metrics.of("train_loss", 3.0, "local_only", 7.0))));
    FedAvg withMetrics = new FedAvg() {
      @Override
      public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> r) {
        return super.aggregateTrain(ctx, global, r).withMetrics(Metrics.of("server_lr", 0.5));
      }
    };

    RunSummary run = new SyncWorkflow(fleet, settings(1)).run(withMetrics, INITIAL, (record, model) -> { });

    Metrics m = run.records().get(0).metrics();
    // (10 * 1 + 30 * 3) / 40 = 2.5; a metric only one client reports is that client's value
    assertThat(m.get("train_loss")).hasValue(2.5);
    assertThat(m.get("local_only")).hasValue(7.0);
    assertThat(m.get("server_lr")).hasValue(0.5);
  }

  @Test
  void aResultTheStrategyRefusesIsRejectedAndNotAggregated() throws Exception {
    InProcessFleet fleet = new InProcessFleet()
        .add("good", FakeClientApp.adding(1, 10))
        .add("odd", FakeClientApp.adding(100, 10));
    FedAvg picky = new FedAvg() {
      @Override
      public Optional<String> checkTrainResult(ModelWeights global, TrainResult result) {
        return result.weights().get(0).get(0) > global.get(0).get(0) + 50 ? Optional.of("moved too far")
            : super.checkTrainResult(global, result);
      }
    };

    RunSummary run = new SyncWorkflow(fleet, settings(1)).run(picky, INITIAL, (record, model) -> { });

    assertThat(run.records().get(0).clientsOk()).isEqualTo(1);
    assertThat(run.records().get(0).clientsFailed()).isEqualTo(1);
    assertThat(run.finalModel().contentEquals(TestModels.plus(INITIAL, 1))).isTrue();
  }

  @Test
  void requestsCarryTheRoundAsGroupTheModelVersionAndADeadline() throws Exception {
    List<Metadata> seen = new ArrayList<>();
    InProcessFleet fleet = new InProcessFleet().add("a", FakeClientApp.adding(1, 10), (message, context, next) -> {
      seen.add(message.metadata());
      return next.handle(message, context);
    });
    long before = System.currentTimeMillis();

    new SyncWorkflow(fleet, settings(2)).run(new FedAvg(), INITIAL, (record, model) -> { });

    assertThat(seen).extracting(Metadata::group).containsExactly("1/train", "2/train");
    assertThat(seen).extracting(Metadata::modelVersion).containsExactly(0L, 1L);
    assertThat(seen).allSatisfy(md -> assertThat(md.deadlineMillis()).isGreaterThanOrEqualTo(before + 5_000));
  }

  @Test
  void anErrorReplyIsAClientErrorNamingItsCode() throws Exception {
    InProcessFleet fleet = new InProcessFleet()
        .add("ok", FakeClientApp.adding(1, 10))
        .add("refusing", FakeClientApp.adding(1, 10),
            (message, context, next) -> Message.error(MessageError.Code.REFUSED,
                "budget spent"));
    List<String> reasons = new ArrayList<>();
    FedAvg recording = new FedAvg() {
      @Override
      public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> r) {
        AggregateResult out = super.aggregateTrain(ctx, global, r);
        r.failures().forEach(f -> reasons.add(f.kind() + " " + f.reason()));
        return out;
      }
    };

    new SyncWorkflow(fleet, settings(1)).run(recording, INITIAL, (record, model) -> { });

    assertThat(reasons).containsExactly("CLIENT_ERROR REFUSED: budget spent");
  }
}
