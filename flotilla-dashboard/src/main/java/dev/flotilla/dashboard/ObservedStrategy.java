package dev.flotilla.dashboard;

import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.AggregateResult;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.core.strategy.ClientResult;
import dev.flotilla.core.strategy.ClientTask;
import dev.flotilla.core.strategy.ForwardingStrategy;
import dev.flotilla.core.strategy.ResultStream;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.tensor.ModelWeights;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Any strategy, with every client result and failure that reaches it reported to a {@link Dashboard}: each result as
 * the strategy takes it from the stream (so the page shows clients answering while a round runs), and the round's
 * failures once the strategy has consumed the stream. Changes nothing the strategy sees or returns.
 *
 * <p>Threading: as the wrapped strategy, one call at a time.
 */
final class ObservedStrategy extends ForwardingStrategy {
  static final String TRAIN = "train";
  static final String EVALUATE = "evaluate";
  private final Dashboard dashboard;

  ObservedStrategy(Strategy inner, Dashboard dashboard) {
    super(inner);
    this.dashboard = Objects.requireNonNull(dashboard, "dashboard");
  }

  @Override
  public List<ClientTask<TrainInstructions>> configureTrain(RoundContext ctx, ModelWeights global,
      List<ClientInfo> available) {
    dashboard.roundStarted(ctx.round());
    return inner.configureTrain(ctx, global, available);
  }

  @Override
  public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> results) {
    ResultStream<TrainResult> observed = results.map((ClientResult<TrainResult> r) -> {
      TrainResult t = r.result();
      dashboard.clientResult(ctx.round(), TRAIN, r.clientId(), t.numExamples(),
          DashboardState.metric(t.metrics(), "train_loss"), DashboardState.metric(t.metrics(), "train_accuracy"));
      return r;
    });
    try {
      return inner.aggregateTrain(ctx, global, observed);
    } finally {
      reportFailures(ctx, TRAIN, results.failures());
    }
  }

  @Override
  public Optional<EvaluateResult> aggregateEvaluate(RoundContext ctx, ResultStream<EvaluateResult> results) {
    ResultStream<EvaluateResult> observed = results.map((ClientResult<EvaluateResult> r) -> {
      EvaluateResult e = r.result();
      dashboard.clientResult(ctx.round(), EVALUATE, r.clientId(), e.numExamples(), e.loss(),
          DashboardState.metric(e.metrics(), "accuracy"));
      return r;
    });
    try {
      return inner.aggregateEvaluate(ctx, observed);
    } finally {
      reportFailures(ctx, EVALUATE, results.failures());
    }
  }

  private void reportFailures(RoundContext ctx, String phase, List<ClientFailure> failures) {
    for (ClientFailure f : failures) {
      dashboard.clientFailed(ctx.round(), phase, f);
    }
  }

  /** The observed strategy's name: watching changes nothing it does. */
  @Override
  public String name() {
    return inner.name();
  }
}
