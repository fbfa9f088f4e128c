package dev.flotilla.core.privacy;

import static dev.flotilla.core.testing.TrainRounds.round;
import static dev.flotilla.core.testing.TrainRounds.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.client.Context;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.AggregateResult;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.core.strategy.ClientResult;
import dev.flotilla.core.strategy.ClientTask;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.FedAvgM;
import dev.flotilla.core.strategy.ResultStream;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.strategy.Sampling;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.strategy.StrategyMetrics;
import dev.flotilla.core.strategy.StrategyState;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.testing.TestModels;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DpFixedClippingTest {
  private static final ModelWeights GLOBAL = TestModels.small();
  private static final List<ClientInfo> HUNDRED = IntStream.range(0, 100)
      .mapToObj(i -> new ClientInfo(String.format("c%03d", i), Config.empty())).toList();
  private static final FedAvg.Settings TEN_PER_ROUND = FedAvg.Settings.builder().train(new Sampling(0, 10)).build();

  private static DpSettings.Builder dp(double z, double clip) {
    return DpSettings.builder().noiseMultiplier(z).clip(clip).noiseSeed(42);
  }

  /** {@code n} results whose updates are random with L2 norm about {@code scale}, each on {@code examples}. */
  private static List<ClientResult<TrainResult>> results(int n, double scale, long examples, long seed) {
    List<ClientResult<TrainResult>> out = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      ModelWeights noise = TestModels.random(GLOBAL.specs(), seed * 100 + k);
      List<Tensor> t = new ArrayList<>();
      for (int i = 0; i < GLOBAL.count(); i++) {
        float[] g = GLOBAL.get(i).toArray();
        float[] d = noise.get(i).toArray();
        for (int j = 0; j < g.length; j++) {
          g[j] += (float) (scale * d[j] / 3);
        }
        t.add(Tensor.wrap(GLOBAL.get(i).spec(), g));
      }
      out.add(new ClientResult<>("c" + k, new TrainResult(ModelWeights.of(t), examples, Metrics.of("train_loss", 1))));
    }
    return out;
  }

  @Test
  void zeroNoiseAndInactiveClippingReturnExactlyWhatTheInnerStrategyReturns() {
    List<ClientResult<TrainResult>> rs = results(7, 0.5, 12, 1);
    DpFixedClipping wrapped = new DpFixedClipping(new FedAvg(), dp(0, 1e6).build());
    AggregateResult plain = new FedAvg().aggregateTrain(round(1), GLOBAL, stream(rs));
    AggregateResult dp = wrapped.aggregateTrain(round(1), GLOBAL, stream(rs));
    assertThat(dp.model().orElseThrow().contentEquals(plain.model().orElseThrow())).isTrue();
    assertThat(dp.metrics().get(PrivacyMetrics.NOISE_STD)).hasValue(0);

    // a stateful inner strategy too, over two rounds
    DpFixedClipping momentum = new DpFixedClipping(new FedAvgM(TEN_PER_ROUND, 0.5, 0.9), dp(0, 1e6).build());
    FedAvgM reference = new FedAvgM(TEN_PER_ROUND, 0.5, 0.9);
    ModelWeights a = GLOBAL;
    ModelWeights b = GLOBAL;
    for (int r = 1; r <= 2; r++) {
      a = momentum.aggregateTrain(round(r), a, stream(results(5, 0.5, 3, r))).model().orElseThrow();
      b = reference.aggregateTrain(round(r), b, stream(results(5, 0.5, 3, r))).model().orElseThrow();
    }
    assertThat(a.contentEquals(b)).isTrue();
  }

  @Test
  void serverClippingBoundsEveryUpdateTheInnerStrategySees() {
    List<ModelWeights> seen = new ArrayList<>();
    FedAvg capturing = new FedAvg() {
      @Override
      public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> rs) {
        List<ClientResult<TrainResult>> all = rs.toList();
        all.forEach(r -> seen.add(r.result().weights()));
        return super.aggregateTrain(ctx, global, ResultStream.of(all, rs.failures()));
      }
    };
    List<ClientResult<TrainResult>> rs = results(6, 5.0, 10, 2);
    rs.add(results(1, 0.01, 10, 3).get(0)); // a short update, which must pass unchanged
    new DpFixedClipping(capturing, dp(0, 0.7).build()).aggregateTrain(round(1), GLOBAL, stream(rs));
    assertThat(seen).hasSize(7);
    for (ModelWeights w : seen) {
      assertThat(UpdateClipping.norm(w, GLOBAL)).isLessThanOrEqualTo(0.7);
    }
    assertThat(seen.get(6)).isSameAs(rs.get(6).result().weights());
  }

  @Test
  void withNoiseTheModelIsTheUnweightedMeanOfClippedUpdatesPlusNoise() {
    List<ClientResult<TrainResult>> rs = results(4, 3.0, 1, 4);
    rs.set(0, new ClientResult<>("c0", new TrainResult(rs.get(0).result().weights(), 1000, Metrics.empty())));
    double clip = 1.0;
    AggregateResult out = new DpFixedClipping(new FedAvg(), dp(1e-9, clip).build())
        .aggregateTrain(round(1), GLOBAL, stream(rs));
    ModelWeights model = out.model().orElseThrow();
    List<ModelWeights> clipped = rs.stream().map(r -> UpdateClipping.clip(r.result().weights(), GLOBAL, clip)).toList();
    for (int i = 0; i < GLOBAL.count(); i++) {
      for (int j = 0; j < GLOBAL.get(i).size(); j++) {
        double mean = 0;
        for (ModelWeights c : clipped) {
          mean += ((double) c.get(i).get(j) - GLOBAL.get(i).get(j)) / clipped.size();
        }
        double got = (double) model.get(i).get(j) - GLOBAL.get(i).get(j);
        assertThat(got).isCloseTo(mean, within(1e-3 * clip)); // the grid's rounding, far below the clip
      }
    }
    assertThat(out.metrics().get(StrategyMetrics.RESULTS_USED)).hasValue(4);
    assertThat(UpdateClipping.norm(model, GLOBAL)).isLessThanOrEqualTo(clip * (1 + GridGaussian.ROUNDING_SLACK));
  }

  /**
   * The noise on the averaged update has the reported standard deviation, about z·C/n: 4 clients that do not move
   * the model, 60,000 coordinates; the sample variance's relative standard error is sqrt(2/60,000) = 0.6%, so a
   * tolerance of 3% rejects a wrong scale (for instance z·C/√n or z·C).
   */
  @Test
  void noiseHasTheStatedVariance() {
    ModelWeights global = ModelWeights.of(Tensor.of("x", new int[] {60_000}, new float[60_000]));
    List<ClientResult<TrainResult>> still = IntStream.range(0, 4)
        .mapToObj(k -> new ClientResult<>("c" + k, new TrainResult(global, 10, Metrics.empty()))).toList();
    double z = 1.3;
    double clip = 0.5;
    AggregateResult out = new DpFixedClipping(new FedAvg(), dp(z, clip).build())
        .aggregateTrain(round(1), global, stream(still));
    double reported = out.metrics().get(PrivacyMetrics.NOISE_STD).orElseThrow();
    assertThat(reported).isBetween(z * clip / 4, z * clip / 4 * (1 + GridGaussian.ROUNDING_SLACK));
    float[] noise = out.model().orElseThrow().get(0).toArray();
    double sum = 0;
    double squares = 0;
    for (float v : noise) {
      sum += v;
      squares += (double) v * v;
    }
    double mean = sum / noise.length;
    double variance = squares / noise.length - mean * mean;
    assertThat(variance / (reported * reported)).isCloseTo(1, within(0.03));
    assertThat(mean / reported).isCloseTo(0, within(5 / Math.sqrt(noise.length)));
  }

  @Test
  void epsilonIsReportedEveryRoundAsTheAccountantComputesIt() {
    double z = 1.1;
    DpFixedClipping strategy = new DpFixedClipping(new FedAvg(TEN_PER_ROUND), dp(z, 1).build());
    ModelWeights global = GLOBAL;
    for (int r = 1; r <= 3; r++) {
      List<ClientTask<TrainInstructions>> tasks = strategy.configureTrain(round(r), global, HUNDRED);
      assertThat(tasks).hasSize(10);
      AggregateResult out = strategy.aggregateTrain(round(r), global, stream(results(10, 0.3, 5, r)));
      assertThat(out.metrics().get(PrivacyMetrics.EPSILON).orElseThrow())
          .isCloseTo(RdpAccountant.epsilon(0.1, z, r, 1e-5), within(1e-12));
      assertThat(out.metrics().get(PrivacyMetrics.DELTA)).hasValue(1e-5);
      assertThat(out.metrics().get(PrivacyMetrics.CLIP)).hasValue(1);
      global = out.model().orElseThrow();
    }
  }

  @Test
  void theBudgetStopsTheRunBeforeARoundWouldExceedIt() {
    double z = 1.0;
    double target = (RdpAccountant.epsilon(0.1, z, 4, 1e-5) + RdpAccountant.epsilon(0.1, z, 5, 1e-5)) / 2;
    DpFixedClipping strategy = new DpFixedClipping(new FedAvg(TEN_PER_ROUND),
        dp(z, 1).targetEpsilon(target).build());
    int trained = 0;
    for (int r = 1; r <= 10; r++) {
      List<ClientTask<TrainInstructions>> tasks = strategy.configureTrain(round(r), GLOBAL, HUNDRED);
      if (strategy.stopReason().isPresent()) {
        assertThat(tasks).isEmpty();
        break;
      }
      trained++;
      AggregateResult out = strategy.aggregateTrain(round(r), GLOBAL, stream(results(10, 0.3, 5, r)));
      assertThat(out.metrics().get(PrivacyMetrics.EPSILON).orElseThrow()).isLessThanOrEqualTo(target);
    }
    assertThat(trained).isEqualTo(4);
    assertThat(strategy.stopReason()).hasValueSatisfying(reason ->
        assertThat(reason).contains("privacy budget", "round 5", "above the target"));
    assertThat(strategy.configureTrain(round(6), GLOBAL, HUNDRED)).isEmpty();
  }

  @Test
  void clientSideClippingSendsTheClipAndRejectsLongerUpdates() {
    DpFixedClipping strategy = new DpFixedClipping(new FedAvg(TEN_PER_ROUND),
        dp(0.8, 0.5).clientSideClipping(true).build());
    List<ClientTask<TrainInstructions>> tasks = strategy.configureTrain(round(1), GLOBAL, HUNDRED);
    assertThat(tasks).allSatisfy(t -> assertThat(t.instructions().config().getDouble(PrivacyMetrics.CONFIG_CLIP, 0))
        .isEqualTo(0.5));

    ModelWeights trained = results(1, 4.0, 10, 5).get(0).result().weights();
    assertThat(strategy.checkTrainResult(GLOBAL, new TrainResult(trained, 10, Metrics.empty())))
        .hasValueSatisfying(p -> assertThat(p).contains("exceeds the clipping norm 0.5"));

    // the client mod clips exactly as the server checks
    Message request = MessageTypes.train(tasks.get(0).instructions());
    Message reply = new DpClipMod().handle(request, Context.of("c0", Config.empty()),
        (m, c) -> MessageTypes.trainResult(new TrainResult(trained, 10, Metrics.empty())));
    TrainResult clipped = MessageTypes.toTrainResult(reply);
    assertThat(strategy.checkTrainResult(GLOBAL, clipped)).isEmpty();
    assertThat(clipped.metrics().get(PrivacyMetrics.UNCLIPPED)).hasValue(0);
  }

  @Test
  void aRestoredStrategyGoesOnSpendingWhereTheSavedOneStopped() {
    DpSettings settings = dp(1.0, 1).build();
    DpFixedClipping a = new DpFixedClipping(new FedAvgM(TEN_PER_ROUND, 1, 0.9), settings);
    ModelWeights global = GLOBAL;
    for (int r = 1; r <= 2; r++) {
      a.configureTrain(round(r), global, HUNDRED);
      global = a.aggregateTrain(round(r), global, stream(results(10, 0.3, 5, r))).model().orElseThrow();
    }
    StrategyState saved = a.state();
    DpFixedClipping b = new DpFixedClipping(new FedAvgM(TEN_PER_ROUND, 1, 0.9), settings);
    b.restore(saved);
    assertThat(b.spent()).isEqualTo(a.spent());
    a.configureTrain(round(3), global, HUNDRED);
    b.configureTrain(round(3), global, HUNDRED);
    AggregateResult fromA = a.aggregateTrain(round(3), global, stream(results(10, 0.3, 5, 3)));
    AggregateResult fromB = b.aggregateTrain(round(3), global, stream(results(10, 0.3, 5, 3)));
    assertThat(fromB.model().orElseThrow().contentEquals(fromA.model().orElseThrow())).isTrue();
    assertThat(fromB.metrics()).isEqualTo(fromA.metrics());
    assertThat(fromA.metrics().get(PrivacyMetrics.EPSILON).orElseThrow())
        .isCloseTo(RdpAccountant.epsilon(0.1, 1.0, 3, 1e-5), within(1e-12));
  }

  @Test
  void noResultsKeepTheModelAndStillReportEpsilon() {
    DpFixedClipping strategy = new DpFixedClipping(new FedAvg(TEN_PER_ROUND), dp(1.0, 1).build());
    strategy.configureTrain(round(1), GLOBAL, HUNDRED);
    AggregateResult out = strategy.aggregateTrain(round(1), GLOBAL, stream(List.of()));
    assertThat(out.model()).isEmpty();
    assertThat(out.metrics().get(PrivacyMetrics.EPSILON)).isPresent();
  }

  /** Strategies other than the wrappers have no reason to stop. */
  @Test
  void plainStrategiesNeverStop() {
    Strategy plain = new FedAvg();
    assertThat(plain.stopReason()).isEmpty();
  }
}
