package dev.flotilla.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.AggregateResult;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientResult;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.ResultStream;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.testing.TestModels;
import dev.flotilla.workflow.RoundRecord;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DashboardTest {
  private static final ModelWeights GLOBAL = TestModels.small();

  @Test
  void observedStrategyReportsEveryResultAndFailureAndChangesNothing() {
    StubFleet fleet = new StubFleet().connected("c1", "c2", "c3");
    try (Dashboard dashboard = Dashboard.disabled()) {
      dashboard.runStarted(fleet, "FedAvg, 3 rounds", 3, 2);
      Strategy observed = dashboard.observe(new FedAvg());
      RoundContext ctx = new RoundContext(1, 3, 42);
      observed.configureTrain(ctx, GLOBAL, fleet.clients());
      ResultStream<TrainResult> results = ResultStream.of(List.of(
          new ClientResult<>("c1", new TrainResult(TestModels.plus(GLOBAL, 1), 10, Metrics.of("train_loss", 0.5))),
          new ClientResult<>("c2", new TrainResult(TestModels.plus(GLOBAL, 3), 30, Metrics.empty()))),
          List.of(new ClientFailure("c3", ClientFailure.Kind.TIMEOUT, "no result within the timeout of 20.0 s")));
      AggregateResult aggregate = observed.aggregateTrain(ctx, GLOBAL, results);
      AggregateResult plain = new FedAvg().aggregateTrain(ctx, GLOBAL, ResultStream.of(List.of(
          new ClientResult<>("c1", new TrainResult(TestModels.plus(GLOBAL, 1), 10, Metrics.empty())),
          new ClientResult<>("c2", new TrainResult(TestModels.plus(GLOBAL, 3), 30, Metrics.empty()))), List.of()));
      assertThat(aggregate.model().orElseThrow().get(0).get(0))
          .isEqualTo(plain.model().orElseThrow().get(0).get(0));
      Optional<EvaluateResult> evaluated = observed.aggregateEvaluate(ctx, ResultStream.of(
          List.of(new ClientResult<>("c2", new EvaluateResult(0.25, 5, Metrics.of("accuracy", 0.75)))), List.of()));
      assertThat(evaluated).isPresent();

      RunView view = dashboard.state().view();
      assertThat(view.status()).isEqualTo("running");
      assertThat(view.round()).isEqualTo(1);
      assertThat(view.connected()).isEqualTo(3);
      RunView.Client c1 = client(view, "c1");
      assertThat(c1.outcome()).isEqualTo("ok");
      assertThat(c1.phase()).isEqualTo("train");
      assertThat(c1.numExamples()).isEqualTo(10);
      assertThat(c1.loss()).isEqualTo(0.5);
      RunView.Client c2 = client(view, "c2");
      assertThat(c2.phase()).isEqualTo("evaluate");
      assertThat(c2.accuracy()).isEqualTo(0.75);
      RunView.Client c3 = client(view, "c3");
      assertThat(c3.outcome()).isEqualTo("TIMEOUT");
      assertThat(c3.reason()).contains("timeout");
      assertThat(view.failures()).containsExactly(
          new RunView.Failure(1, "train", "c3", "TIMEOUT", "no result within the timeout of 20.0 s"));
      assertThat(view.failuresByKind()).containsEntry("TIMEOUT", 1);
    }
  }

  @Test
  void aClientThatLeavesTheFleetIsShownDisconnectedAndOneThatComesBackConnected() {
    StubFleet fleet = new StubFleet().connected("a", "b");
    Dashboard dashboard = Dashboard.disabled();
    dashboard.runStarted(fleet, "run", 2, 2);
    assertThat(dashboard.state().view().clients()).extracting(RunView.Client::connected).containsExactly(true, true);

    fleet.connected("a");
    assertThat(dashboard.state().refreshConnections()).isTrue();
    assertThat(dashboard.state().refreshConnections()).as("nothing new").isFalse();
    RunView view = dashboard.state().view();
    assertThat(view.connected()).isEqualTo(1);
    assertThat(client(view, "b").connected()).isFalse();
    assertThat(client(view, "b").disconnectedAgoSeconds()).isNotNull().isGreaterThanOrEqualTo(0.0);

    fleet.connected("a", "b", "c");
    assertThat(dashboard.state().refreshConnections()).isTrue();
    view = dashboard.state().view();
    assertThat(view.connected()).isEqualTo(3);
    assertThat(client(view, "b").connected()).isTrue();
    assertThat(client(view, "b").disconnectedAgoSeconds()).isNull();
  }

  @Test
  void roundsKeepTheirFiguresAndFiniteNamedMetricsAndTheRunEnds() {
    StubFleet fleet = new StubFleet().connected("a");
    Dashboard dashboard = Dashboard.disabled();
    dashboard.runStarted(fleet, "run", 2, 1);
    long version = dashboard.state().version();
    dashboard.onRound(new RoundRecord(1, 0.5, 1.25, null, null, 1, 0, 2.0, 100, 200,
        Metrics.of("epsilon", 0.8, "delta", 1e-5, "train_loss", Double.NaN)), GLOBAL);
    assertThat(dashboard.state().version()).isGreaterThan(version);
    dashboard.runFinished(Optional.of("the privacy budget is spent"));
    RunView view = dashboard.state().view();
    assertThat(view.records()).hasSize(1);
    RunView.Round r = view.records().get(0);
    assertThat(r.accuracy()).isEqualTo(0.5);
    assertThat(r.loss()).isEqualTo(1.25);
    assertThat(r.bytesUp()).isEqualTo(100);
    assertThat(r.bytesDown()).isEqualTo(200);
    assertThat(r.metrics()).containsOnlyKeys("epsilon", "delta");
    assertThat(r.metrics().get("epsilon")).isCloseTo(0.8, within(1e-12));
    assertThat(view.status()).isEqualTo("stopped");
    assertThat(view.detail()).isEqualTo("the privacy budget is spent");
  }

  @Test
  void aResumedRunKeepsItsEarlierRoundsFirstAndANewRunForgetsThem() {
    StubFleet fleet = new StubFleet().connected("a", "b");
    Dashboard dashboard = Dashboard.disabled();
    List<RoundRecord> earlier = List.of(
        new RoundRecord(0, 0.1, 2.0, null, null, 0, 0, 0.1, 0, 0, Metrics.empty()),
        new RoundRecord(1, 0.4, 1.5, null, null, 2, 0, 1.0, 10, 20, Metrics.of("sim_seconds", 3.0)));
    dashboard.runStarted(fleet, "run", 3, 2, earlier);
    RunView view = dashboard.state().view();
    assertThat(view.resumedAfter()).isEqualTo(1);
    assertThat(view.round()).isEqualTo(1);
    assertThat(view.records()).extracting(RunView.Round::round).containsExactly(0, 1);
    assertThat(view.records().get(1).accuracy()).isEqualTo(0.4);
    assertThat(view.records().get(1).metrics()).containsEntry("sim_seconds", 3.0);

    dashboard.onRound(new RoundRecord(2, 0.6, 1.0, null, null, 2, 0, 1.0, 10, 20, Metrics.empty()), GLOBAL);
    view = dashboard.state().view();
    assertThat(view.records()).extracting(RunView.Round::round).containsExactly(0, 1, 2);
    assertThat(view.resumedAfter()).isEqualTo(1);

    dashboard.runStarted(fleet, "another run", 3, 2);
    view = dashboard.state().view();
    assertThat(view.records()).isEmpty();
    assertThat(view.resumedAfter()).isNull();
  }

  @Test
  void aLargeFleetListsAtMostTheCapDisconnectedFirst() {
    String[] ids = new String[DashboardState.MAX_CLIENT_ROWS + 50];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = String.format("v%04d", i);
    }
    StubFleet fleet = new StubFleet().connected(ids);
    Dashboard dashboard = Dashboard.disabled();
    dashboard.runStarted(fleet, "simulation", 1, 10);
    fleet.connected(java.util.Arrays.copyOf(ids, ids.length - 1)); // the last one leaves
    dashboard.state().refreshConnections();
    RunView view = dashboard.state().view();
    assertThat(view.clientsSeen()).isEqualTo(ids.length);
    assertThat(view.clients()).hasSize(DashboardState.MAX_CLIENT_ROWS);
    assertThat(client(view, ids[ids.length - 1]).connected()).isFalse();
  }

  private static RunView.Client client(RunView view, String id) {
    return view.clients().stream().filter(c -> c.id().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("client " + id + " is not in the view"));
  }
}
