package dev.flotilla.core.privacy;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Metrics;
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
import dev.flotilla.core.strategy.StrategyMetrics;
import dev.flotilla.core.strategy.StrategyState;
import dev.flotilla.core.tensor.ModelWeights;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * What {@link DpFixedClipping} and {@link DpAdaptiveClipping} share: DP-FedAvg (McMahan, Ramage, Talwar and Zhang,
 * "Learning Differentially Private Recurrent Language Models", ICLR 2018) around any strategy whose aggregate is a
 * weighted average of the client models (FedAvg, FedProx, FedAvgM, FedAdagrad, FedAdam, FedYogi).
 *
 * <p><b>Each round.</b> Each client's update {@code Δᵢ = modelᵢ − global} is clipped to L2 norm {@code C} (by the
 * server, or by the client's {@link DpClipMod}, in which case the server rejects a longer update). With noise
 * ({@code z > 0}) the clipped updates are summed exactly on a grid, discrete Gaussian noise of standard deviation
 * about {@code z·C} is added ({@link GridGaussian}), and the noisy mean {@code global + (ΣΔᵢ + N)/n} over the
 * {@code n} results is handed to the inner strategy as a single result, so that its server step (momentum, Adam) only
 * post-processes a private value. The mean is unweighted, as in McMahan et al.: weighting by examples would let one
 * client's weight, and so its influence, grow without bound. The count {@code n} is treated as public, as in
 * TensorFlow Federated's and Flower's DP aggregators. Without noise ({@code z = 0}) nothing is private: the clipped
 * results go to the inner strategy as they are, each with weight 1, so that clipping alone can be studied.
 *
 * <p><b>Accounting.</b> Each round is one step of the Poisson-subsampled Gaussian mechanism with sampling rate
 * {@code q = sampled / available} (clients are sampled without replacement, a fixed number per round; treating that
 * as Poisson sampling with the same rate is the usual approximation, made by Flower, TensorFlow Federated and Opacus).
 * The step is counted when the round is configured, before any client trains. {@value PrivacyMetrics#EPSILON} and
 * {@value PrivacyMetrics#DELTA} are reported after every round ({@link RdpAccountant}).
 *
 * <p><b>Budget.</b> With a target ε, a round that would take ε above it is not configured: {@link #configureTrain}
 * returns no tasks and {@link #stopReason()} says why, and the workflow ends the run there.
 *
 * <p><b>State.</b> The accountant (and the adaptive clip) are saved by {@link #state()} beside the inner strategy's
 * state, under scalars named {@code dp/…}, so that a resumed run goes on spending from where it stopped.
 *
 * <p>What is not private: a client's training metrics ({@code train_loss}), which the workflow averages itself, and
 * the number of results.
 */
abstract sealed class CentralDp extends ForwardingStrategy permits DpFixedClipping, DpAdaptiveClipping {
  private static final String STATE_PREFIX = "dp/";
  private static final String STEPS = STATE_PREFIX + "steps";
  private static final String RDP = STATE_PREFIX + "rdp/";
  private static final String STOP = STATE_PREFIX + "stop";
  /** The name of the single result through which the noisy mean reaches the inner strategy. */
  static final String NOISY_MEAN = "dp-noisy-mean";

  private final DpSettings settings;
  private RdpAccountant spent = RdpAccountant.empty();
  private String stopReason;

  CentralDp(Strategy inner, DpSettings settings) {
    super(inner);
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** The wrapped strategy. */
  public Strategy inner() {
    return inner;
  }

  /** The configuration. */
  public DpSettings settings() {
    return settings;
  }

  /** The privacy spent so far. */
  public RdpAccountant spent() {
    return spent;
  }

  /** The clipping norm of the coming round. */
  abstract double clip();

  /** The noise multiplier of the update sum, for a round that sampled {@code sampled} clients. */
  abstract double updateNoiseMultiplier(int sampled);

  /**
   * Called after aggregating with how many of the {@code n} updates were no longer than the clip; returns metrics
   * to report. Adaptive clipping moves the clip here.
   */
  abstract Metrics afterRound(int unclipped, int n, int sampled, RandomBits bits);

  /** Scalars of the subclass's own state, with names starting {@code dp/}. */
  abstract Config ownState();

  /** Takes back {@link #ownState()}; an empty config resets. */
  abstract void restoreOwn(Config scalars);

  /**
   * {@inheritDoc} The inner strategy's tasks, or none once the budget is spent; with client-side clipping each
   * config carries {@value PrivacyMetrics#CONFIG_CLIP}.
   */
  @Override
  public List<ClientTask<TrainInstructions>> configureTrain(RoundContext ctx, ModelWeights global,
      List<ClientInfo> available) {
    if (stopReason != null) {
      return List.of();
    }
    List<ClientTask<TrainInstructions>> tasks = inner.configureTrain(ctx, global, available);
    if (tasks.isEmpty() || settings.noiseMultiplier() == 0) {
      return withClip(tasks);
    }
    double q = Math.min(1, (double) tasks.size() / Math.max(1, available.size()));
    RdpAccountant next = spent.compose(q, settings.noiseMultiplier(), 1);
    double epsilon = next.epsilon(settings.delta());
    if (settings.targetEpsilon().isPresent() && epsilon > settings.targetEpsilon().getAsDouble()) {
      stopReason = String.format(Locale.ROOT, "privacy budget: round %d would take epsilon from %.4f to"
              + " %.4f, above the target %s (delta %s, noise multiplier %s, sampling rate %.4f)", ctx.round(),
          spent.epsilon(settings.delta()), epsilon, settings.targetEpsilon().getAsDouble(), settings.delta(),
          settings.noiseMultiplier(), q);
      return List.of();
    }
    spent = next;
    return withClip(tasks);
  }

  private List<ClientTask<TrainInstructions>> withClip(List<ClientTask<TrainInstructions>> tasks) {
    if (!settings.clientSideClipping()) {
      return tasks;
    }
    double c = clip();
    return tasks.stream().map(t -> new ClientTask<>(t.clientId(), new TrainInstructions(t.instructions().model(),
        t.instructions().config().with(PrivacyMetrics.CONFIG_CLIP, c)))).toList();
  }

  /** Why the run must stop: the budget would be exceeded by the next round (or the inner strategy's reason). */
  @Override
  public Optional<String> stopReason() {
    return Optional.ofNullable(stopReason).or(inner::stopReason);
  }

  /**
   * {@inheritDoc} The inner strategy's check; with client-side clipping, also that the update is no longer than the
   * clip the client was sent.
   */
  @Override
  public Optional<String> checkTrainResult(ModelWeights global, TrainResult result) {
    Optional<String> problem = inner.checkTrainResult(global, result);
    if (problem.isPresent() || !settings.clientSideClipping()) {
      return problem;
    }
    double norm = UpdateClipping.norm(result.weights(), global);
    double c = clip();
    return norm <= c ? Optional.empty()
        : Optional.of("the update's L2 norm " + norm + " exceeds the clipping norm " + c + " the client was sent");
  }

  @Override
  public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> results) {
    double c = clip();
    Metrics dp;
    AggregateResult out;
    int[] unclipped = new int[1];
    int n;
    int sampled;
    RandomBits bits = settings.bits(ctx.round(), 0);
    if (settings.noiseMultiplier() == 0) {
      ResultStream<TrainResult> clipped = clippedStream(global, results, c, bit -> unclipped[0] += bit);
      out = inner.aggregateTrain(ctx, global, clipped);
      n = (int) out.metrics().get(StrategyMetrics.RESULTS_USED).orElse(0);
      sampled = n + results.failures().size();
      dp = Metrics.of(PrivacyMetrics.CLIP, c, PrivacyMetrics.NOISE_STD, 0);
    } else {
      LatticeSum sum = null;
      GridGaussian grid = null;
      for (ClientResult<TrainResult> r : results) {
        if (r.result().numExamples() == 0) {
          continue;
        }
        if (sum == null) {
          grid = GridGaussian.of(c, global.numParameters(), 1); // the grid depends on C and d only
          sum = new LatticeSum(global.specs(), grid.granularity());
        }
        double norm = sum.add(r.result().weights(), global, c);
        unclipped[0] += clientSaysUnclipped(r.result(), norm, c) ? 1 : 0;
      }
      n = sum == null ? 0 : sum.count();
      sampled = n + results.failures().size();
      if (n == 0) {
        return new AggregateResult(Optional.empty(), Metrics.of(StrategyMetrics.RESULTS_USED, 0)
            .merge(Metrics.of(PrivacyMetrics.CLIP, c)).merge(epsilonMetrics()));
      }
      double z = updateNoiseMultiplier(sampled);
      double sigma = z * grid.sensitivity();
      sum.addNoise(sigma, bits);
      ModelWeights mean = sum.applyMean(global, n);
      List<ClientFailure> failures = results.failures();
      out = inner.aggregateTrain(ctx, global, ResultStream.of(
          List.of(new ClientResult<>(NOISY_MEAN, new TrainResult(mean, n, Metrics.empty()))), failures));
      dp = Metrics.of(StrategyMetrics.RESULTS_USED, n, PrivacyMetrics.CLIP, c,
          PrivacyMetrics.NOISE_STD, grid.granularity() * sigma / n);
    }
    Metrics after = n == 0 ? Metrics.empty() : afterRound(unclipped[0], n, sampled, settings.bits(ctx.round(), 1));
    return out.withMetrics(dp.merge(after).merge(epsilonMetrics()));
  }

  /** With client-side clipping the norm the server sees is already clipped, so the client's own bit counts. */
  private boolean clientSaysUnclipped(TrainResult result, double norm, double c) {
    if (!settings.clientSideClipping()) {
      return norm <= c;
    }
    return result.metrics().get(PrivacyMetrics.UNCLIPPED).orElse(0) >= 0.5;
  }

  private ResultStream<TrainResult> clippedStream(ModelWeights global, ResultStream<TrainResult> results, double c,
      IntConsumer unclippedBits) {
    return results.map(r -> {
      TrainResult t = r.result();
      double norm = UpdateClipping.norm(t.weights(), global);
      unclippedBits.accept(t.numExamples() > 0 && clientSaysUnclipped(t, norm, c) ? 1 : 0);
      ModelWeights clipped = UpdateClipping.clip(t.weights(), global, c);
      return new ClientResult<>(r.clientId(), new TrainResult(clipped, t.numExamples() > 0 ? 1 : 0, t.metrics()));
    });
  }

  private Metrics epsilonMetrics() {
    if (settings.noiseMultiplier() == 0) {
      return Metrics.empty();
    }
    return Metrics.of(PrivacyMetrics.EPSILON, spent.epsilon(settings.delta()), PrivacyMetrics.DELTA,
        settings.delta());
  }

  @Override
  public boolean needsAllResults() {
    return settings.noiseMultiplier() == 0 && inner.needsAllResults();
  }

  /** The inner strategy's state with the accountant (and the adaptive clip) under {@code dp/…} scalars. */
  @Override
  public StrategyState state() {
    StrategyState in = inner.state();
    Map<String, Object> own = new LinkedHashMap<>(in.scalars().values());
    own.put(STEPS, spent.steps());
    double[] rdp = spent.rdp();
    for (int i = 0; i < rdp.length; i++) {
      own.put(RDP + i, rdp[i]);
    }
    if (stopReason != null) {
      own.put(STOP, stopReason);
    }
    own.putAll(ownState().values());
    return new StrategyState(new Config(own), in.arrays());
  }

  @Override
  public void restore(StrategyState state) {
    Map<String, Object> rest = new LinkedHashMap<>();
    Map<String, Object> own = new LinkedHashMap<>();
    state.scalars().values().forEach((k, v) -> (k.startsWith(STATE_PREFIX) ? own : rest).put(k, v));
    inner.restore(new StrategyState(new Config(rest), state.arrays()));
    Config mine = new Config(own);
    if (!mine.has(STEPS)) {
      spent = RdpAccountant.empty();
      stopReason = null;
      restoreOwn(Config.empty());
      return;
    }
    double[] rdp = new double[RdpAccountant.defaultOrders().length];
    for (int i = 0; i < rdp.length; i++) {
      if (!mine.has(RDP + i)) {
        throw new IllegalArgumentException("differential privacy state lacks '" + RDP + i + "'");
      }
      rdp[i] = mine.getDouble(RDP + i, 0);
    }
    spent = RdpAccountant.of(rdp, mine.getLong(STEPS, 0));
    stopReason = mine.has(STOP) ? mine.getString(STOP, "") : null;
    restoreOwn(mine);
  }

}
