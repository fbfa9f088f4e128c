package dev.flotilla.core.privacy;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.AggregateResult;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientResult;
import dev.flotilla.core.strategy.ForwardingStrategy;
import dev.flotilla.core.strategy.ResultStream;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.strategy.StrategyState;
import dev.flotilla.core.tensor.ModelWeights;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server side of local differential privacy ({@link LocalDpMod}): aggregates with the inner strategy unchanged,
 * and reports {@value PrivacyMetrics#EPSILON} as the largest ε any client has reported so far (the federation's
 * weakest guarantee) with {@value PrivacyMetrics#DELTA}. The clients add the noise and enforce their budgets; this
 * wrapper only reads what they say. State: that largest ε, as the scalar {@code dp/local_epsilon_max} beside the
 * inner strategy's state.
 *
 * <p>Threading: one call at a time.
 */
public final class LocalDpAccounting extends ForwardingStrategy {
  private static final String MAX_STATE = "dp/local_epsilon_max";

  private final double delta;
  private double maxEpsilon;

  /** {@code inner}, reporting the clients' ε at {@code delta} (the clients' δ). */
  public LocalDpAccounting(Strategy inner, double delta) {
    super(inner);
    if (!(delta > 0 && delta < 1)) {
      throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
    }
    this.delta = delta;
  }

  @Override
  public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> results) {
    AggregateResult out = inner.aggregateTrain(ctx, global, new ResultStream<>() {
      @Override
      public List<ClientFailure> failures() {
        return results.failures();
      }

      @Override
      public Iterator<ClientResult<TrainResult>> iterator() {
        Iterator<ClientResult<TrainResult>> it = results.iterator();
        return new Iterator<>() {
          @Override
          public boolean hasNext() {
            return it.hasNext();
          }

          @Override
          public ClientResult<TrainResult> next() {
            ClientResult<TrainResult> r = it.next();
            r.result().metrics().get(PrivacyMetrics.LOCAL_EPSILON).ifPresent(e -> maxEpsilon = Math.max(maxEpsilon, e));
            return r;
          }
        };
      }
    });
    return out.withMetrics(Metrics.of(PrivacyMetrics.EPSILON, maxEpsilon, PrivacyMetrics.DELTA, delta));
  }

  @Override
  public StrategyState state() {
    StrategyState in = inner.state();
    Map<String, Object> scalars = new LinkedHashMap<>(in.scalars().values());
    scalars.put(MAX_STATE, maxEpsilon);
    return new StrategyState(new Config(scalars), in.arrays());
  }

  @Override
  public void restore(StrategyState state) {
    Map<String, Object> rest = new LinkedHashMap<>(state.scalars().values());
    Object saved = rest.remove(MAX_STATE);
    maxEpsilon = saved instanceof Number n ? n.doubleValue() : 0;
    inner.restore(new StrategyState(new Config(rest), state.arrays()));
  }

}
