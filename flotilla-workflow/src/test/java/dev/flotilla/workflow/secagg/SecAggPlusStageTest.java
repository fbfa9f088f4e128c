package dev.flotilla.workflow.secagg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.privacy.DpClipMod;
import dev.flotilla.core.privacy.DpFixedClipping;
import dev.flotilla.core.privacy.DpSettings;
import dev.flotilla.core.privacy.PrivacyMetrics;
import dev.flotilla.core.secagg.RingQuantizer;
import dev.flotilla.core.secagg.SecAggMessages;
import dev.flotilla.core.secagg.SecAggPlusMod;
import dev.flotilla.core.secagg.SecAggSettings;
import dev.flotilla.core.strategy.ClientTask;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.FedMedian;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.strategy.StrategyMetrics;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.workflow.Exchange;
import dev.flotilla.workflow.LocalFleet;
import dev.flotilla.workflow.RoundRecord;
import dev.flotilla.workflow.RunSummary;
import dev.flotilla.workflow.SyncSettings;
import dev.flotilla.workflow.SyncWorkflow;
import dev.flotilla.workflow.TrainStage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecAggPlusStageTest {
  private static final int PARAMS = 2_000;
  private static final ModelWeights GLOBAL = model(PARAMS, 99, 1.0);
  private static final SyncSettings SYNC = SyncSettings.builder().roundTimeout(Duration.ofSeconds(60)).build();
  private static final RoundContext ROUND_1 = new RoundContext(1, 1, 7);

  @Test
  void theMaskedSumIsThePlainWeightedMeanWithinTheQuantisationError() {
    LocalFleet fleet = fleet(10);
    TrainStage.Outcome out = run(fleet, SecAggSettings.of(5, 3));
    assertEquals(10, out.delivered());
    assertEquals(0, out.failed());
    assertClose(expectedMean(10, Set.of()), out.aggregate().model().orElseThrow(), 2e-4);
    assertEquals(10, out.aggregate().metrics().get(SecAggPlusStage.CLIENTS).orElseThrow());
    assertEquals(4.5, out.clientMetrics().get("train_loss").orElseThrow(), 1e-12, "metrics averaged unweighted");
  }

  @ParameterizedTest
  @ValueSource(strings = {SecAggMessages.SETUP, SecAggMessages.SHARE_KEYS, SecAggMessages.COLLECT_MASKED,
      SecAggMessages.UNMASK})
  void clientsDroppingAtAnyStageUpToTheLimitLeaveTheSumOfTheOthers(String stage) {
    LocalFleet fleet = fleet(10);
    fleet.drop((id, m) -> m.type().equals(stage) && (id.equals("c3") || id.equals("c7")));
    TrainStage.Outcome out = run(fleet, SecAggSettings.of(5, 3));
    // a client that drops while unmasking has delivered its masked vector: its update is in the sum
    Set<Integer> gone = stage.equals(SecAggMessages.UNMASK) ? Set.of() : Set.of(3, 7);
    assertEquals(10 - gone.size(), out.delivered());
    assertClose(expectedMean(10, gone), out.aggregate().model().orElseThrow(), 2e-4);
  }

  @Test
  @Timeout(30)
  void aClientThatGoesQuietInAStageWithoutTrainingCostsTheStageTimeoutNotTheRoundTimeout() {
    LocalFleet fleet = fleet(10);
    fleet.stall((id, m) -> m.type().equals(SecAggMessages.SHARE_KEYS) && id.equals("c3"));
    SyncSettings sync = SyncSettings.builder().roundTimeout(Duration.ofSeconds(600)).build();
    FedAvg fedAvg = new FedAvg();
    List<ClientTask<TrainInstructions>> tasks = fedAvg.configureTrain(ROUND_1, GLOBAL, fleet.clients());
    long start = System.nanoTime();
    TrainStage.Outcome out = new SecAggPlusStage(SecAggSettings.of(5, 3), Duration.ofMillis(500)).train(
        new Exchange(fleet), sync, ROUND_1, fedAvg, GLOBAL, tasks, () -> { });
    double seconds = (System.nanoTime() - start) / 1e9;

    assertEquals(9, out.delivered());
    assertClose(expectedMean(10, Set.of(3)), out.aggregate().model().orElseThrow(), 2e-4);
    assertTrue(seconds < 20, "the quiet client was waited for " + seconds + " s");
    assertThrows(IllegalArgumentException.class, () -> new SecAggPlusStage(SecAggSettings.of(5, 3), Duration.ZERO));
  }

  @Test
  void clientsDroppingAtEveryStageOfOneRoundStillLeaveTheExactSum() {
    LocalFleet fleet = fleet(14);
    fleet.drop((id, m) -> m.type().equals(SecAggMessages.SETUP) && id.equals("c1")
        || m.type().equals(SecAggMessages.SHARE_KEYS) && id.equals("c4")
        || m.type().equals(SecAggMessages.COLLECT_MASKED) && (id.equals("c6") || id.equals("c9"))
        || m.type().equals(SecAggMessages.UNMASK) && id.equals("c11"));
    TrainStage.Outcome out = run(fleet, SecAggSettings.of(9, 4));
    assertEquals(10, out.delivered());
    assertEquals(4, out.failed());
    assertClose(expectedMean(14, Set.of(1, 4, 6, 9)), out.aggregate().model().orElseThrow(), 2e-4);
  }

  @ParameterizedTest
  @ValueSource(strings = {SecAggMessages.SHARE_KEYS, SecAggMessages.COLLECT_MASKED, SecAggMessages.UNMASK})
  void belowTheThresholdTheRoundFailsClosed(String stage) {
    LocalFleet fleet = fleet(5);
    fleet.drop((id, m) -> m.type().equals(stage) && (id.equals("c0") || id.equals("c1")));
    TrainStage.Outcome out = run(fleet, SecAggSettings.of(5, 4));
    assertTrue(out.aggregate().model().isEmpty(), "no model from a round that cannot be unmasked safely");
    assertEquals(0, out.delivered());
    assertEquals(1, out.aggregate().metrics().get(SecAggPlusStage.FAILED).orElseThrow());
  }

  @Test
  void oneClientsMaskedVectorIsUniformOnTheRingAndUnlikeItsUpdate() {
    int params = 64_000;
    ModelWeights global = model(params, 5, 0.1);
    LocalFleet fleet = new LocalFleet();
    for (int k = 0; k < 3; k++) {
      int client = k;
      fleet.add("c" + k, trainer(global, client, client == 0 ? 0.0 : 0.01, 500), new SecAggPlusMod());
    }
    FedAvg fedAvg = new FedAvg();
    TrainStage.Outcome out = new SecAggPlusStage(SecAggSettings.of(3, 2)).train(new Exchange(fleet), SYNC, ROUND_1,
        fedAvg, global, fedAvg.configureTrain(ROUND_1, global, fleet.clients()), () -> { });
    assertTrue(out.aggregate().model().isPresent());
    int[] masked = fleet.lastReply("c0", SecAggMessages.MASKED_VECTOR).orElseThrow().arrays().get(SecAggMessages.MASKED)
        .toIntArray();
    // unmasked, c0's update is zero: every value would be the middle level, (2^22 - 1) / 2 rounded either way
    long middle = 0;
    int[] buckets = new int[64];
    for (int v : masked) {
      long u = Integer.toUnsignedLong(v);
      if (u == 2_097_151 || u == 2_097_152) {
        middle++;
      }
      buckets[(int) (u >>> 26)]++;
    }
    assertTrue(middle < 3, middle + " values are the unmasked level");
    double expected = masked.length / 64.0;
    double chi2 = 0;
    for (int b : buckets) {
      chi2 += (b - expected) * (b - expected) / expected;
    }
    assertTrue(chi2 < 120, "chi-square of the top 6 bits over 64 buckets (63 degrees of freedom, p = 0.0001 at"
        + " 120): " + chi2);
  }

  @Test
  void aSmallerRingSumsAsWell() {
    LocalFleet fleet = fleet(6);
    fleet.drop((id, m) -> m.type().equals(SecAggMessages.COLLECT_MASKED) && id.equals("c2"));
    SecAggSettings small = new SecAggSettings(5, 3, 1.0, 1 << 12, 1 << 20, 1000, true);
    TrainStage.Outcome out = run(fleet, small);
    double step = new RingQuantizer(1.0, 1 << 12).step();
    assertClose(expectedMean(6, Set.of(2)), out.aggregate().model().orElseThrow(), 12 * step);
  }

  @Test
  void strategiesThatNeedEveryResultAreRefused() {
    LocalFleet fleet = fleet(4);
    Strategy median = new FedMedian(FedAvg.Settings.builder().build());
    FlotillaException e = assertThrows(FlotillaException.class, () -> new SecAggPlusStage(SecAggSettings.of(3, 2))
        .train(new Exchange(fleet), SYNC, ROUND_1, median, GLOBAL, median.configureTrain(ROUND_1, GLOBAL,
            fleet.clients()), () -> { }));
    assertTrue(e.getMessage().contains("needs every client's result"), e.getMessage());
  }

  @Test
  void aRoundThatFailsClosedKeepsTheModelAndTheRunGoesOn() throws InterruptedException {
    LocalFleet fleet = fleet(5);
    fleet.drop((id, m) -> m.config().getLong(SecAggMessages.ROUND, 0) == 2 && m.type().equals(SecAggMessages.UNMASK)
        && (id.equals("c0") || id.equals("c1")));
    SyncSettings sync = SyncSettings.builder().rounds(3).minClients(5).roundTimeout(Duration.ofSeconds(60))
        .evaluateInitial(false).build();
    List<ModelWeights> models = new ArrayList<>();
    RunSummary summary = new SyncWorkflow(fleet, sync, new SecAggPlusStage(SecAggSettings.of(5, 4)))
        .run(new FedAvg(), GLOBAL, (RoundRecord r, ModelWeights m) -> models.add(m));
    assertEquals(3, summary.records().size());
    assertFalse(models.get(0).contentEquals(GLOBAL), "round 1 moved the model");
    assertTrue(models.get(1).contentEquals(models.get(0)), "round 2 failed closed and kept round 1's model");
    assertFalse(models.get(2).contentEquals(models.get(1)), "round 3 went on");
    assertEquals(5, summary.records().get(2).clientsOk());
  }

  @Test
  void centralDpAddsItsNoiseToTheSumOfUpdatesTheClientsClippedUnweighted() {
    LocalFleet fleet = new LocalFleet();
    for (int k = 0; k < 6; k++) {
      fleet.add("c" + k, trainer(GLOBAL, k, 0.5, 100 * (k + 1)), new SecAggPlusMod(), new DpClipMod());
    }
    fleet.drop((id, m) -> m.type().equals(SecAggMessages.COLLECT_MASKED) && id.equals("c4"));
    DpFixedClipping dp = new DpFixedClipping(new FedAvg(), DpSettings.builder().noiseMultiplier(1e-3).clip(1)
        .clientSideClipping(true).noiseSeed(5).build());
    List<ClientTask<TrainInstructions>> tasks = dp.configureTrain(ROUND_1, GLOBAL, fleet.clients());
    TrainStage.Outcome out = new SecAggPlusStage(SecAggSettings.of(5, 3).withWeighted(false))
        .train(new Exchange(fleet), SYNC, ROUND_1, dp, GLOBAL, tasks, () -> { });
    assertEquals(5, out.aggregate().metrics().get(StrategyMetrics.RESULTS_USED).orElseThrow(),
        "the DP wrapper counts one result per client in the sum");
    assertTrue(out.aggregate().metrics().get(PrivacyMetrics.EPSILON).isPresent());
    float[] g = flat(GLOBAL);
    float[] expected = new float[PARAMS];
    for (int k = 0; k < 6; k++) {
      if (k == 4) {
        continue;
      }
      float[] d = flat(model(PARAMS, 1000 + k, 0.5));
      double norm = 0;
      for (float v : d) {
        norm += v * v;
      }
      double scale = Math.min(1, 1 / Math.sqrt(norm));
      for (int i = 0; i < PARAMS; i++) {
        expected[i] += (float) (d[i] * scale / 5);
      }
    }
    for (int i = 0; i < PARAMS; i++) {
      expected[i] += g[i];
    }
    assertClose(ModelWeights.of(Tensor.of("w", new int[] {PARAMS}, expected)), out.aggregate().model().orElseThrow(),
        2e-3);
  }

  @Test
  void aClientWithALowOrderPublicKeyIsRejectedAndTheOthersAreSummed() {
    LocalFleet fleet = new LocalFleet();
    for (int k = 0; k < 6; k++) {
      fleet.add("c" + k, trainer(GLOBAL, k, 0.5, 100 * (k + 1)), new SecAggPlusMod());
    }
    fleet.add("bad", trainer(GLOBAL, 9, 0.5, 100), (m, ctx, next) -> {
      Message reply = new SecAggPlusMod().handle(m, ctx, next);
      if (!m.type().equals(SecAggMessages.SETUP)) {
        return reply;
      }
      byte[] zero = new byte[32]; // u = 0: every agreement with it is the all-zero secret
      return reply.withArrays(ModelWeights.of(Tensor.ofBytes(SecAggMessages.PK_C, zero),
          Tensor.ofBytes(SecAggMessages.PK_S, zero)));
    });
    TrainStage.Outcome out = run(fleet, SecAggSettings.of(5, 3));
    assertEquals(6, out.delivered());
    assertEquals(1, out.failed());
    assertClose(expectedMean(6, Set.of()), out.aggregate().model().orElseThrow(), 2e-4);
  }

  private static TrainStage.Outcome run(LocalFleet fleet, SecAggSettings settings) {
    FedAvg fedAvg = new FedAvg();
    List<ClientTask<TrainInstructions>> tasks = fedAvg.configureTrain(ROUND_1, GLOBAL, fleet.clients());
    return new SecAggPlusStage(settings).train(new Exchange(fleet), SYNC, ROUND_1, fedAvg, GLOBAL, tasks, () -> { });
  }

  /** Clients c0 … c(n-1); client k moves each parameter by its own delta and has 100 (k + 1) examples. */
  private static LocalFleet fleet(int n) {
    LocalFleet fleet = new LocalFleet();
    for (int k = 0; k < n; k++) {
      fleet.add("c" + k, trainer(GLOBAL, k, 0.5, 100 * (k + 1)), new SecAggPlusMod());
    }
    return fleet;
  }

  /** A client that returns the model it was sent plus its delta (uniform in ±scale, from seed k). */
  private static ClientApp trainer(ModelWeights unused, int k, double scale, long examples) {
    return (Message m, dev.flotilla.core.client.Context ctx) -> {
      ModelWeights sent = MessageTypes.toTrainInstructions(m).model();
      ModelWeights delta = model((int) sent.numParameters(), 1000 + k, scale);
      List<Tensor> out = new ArrayList<>();
      for (int t = 0; t < sent.count(); t++) {
        float[] v = sent.get(t).toArray();
        float[] d = delta.get(t).toArray();
        for (int i = 0; i < v.length; i++) {
          v[i] += d[i];
        }
        out.add(Tensor.of(sent.get(t).name(), sent.get(t).shape(), v));
      }
      return MessageTypes.trainResult(new TrainResult(ModelWeights.of(out), examples, Metrics.of("train_loss", k)));
    };
  }

  /** GLOBAL plus the example-weighted mean of the deltas of the clients not in {@code gone}. */
  private static ModelWeights expectedMean(int n, Set<Integer> gone) {
    double[] sum = new double[PARAMS];
    double weights = 0;
    for (int k = 0; k < n; k++) {
      if (gone.contains(k)) {
        continue;
      }
      double w = Math.min(1, 100.0 * (k + 1) / 1000);
      float[] d = flat(model(PARAMS, 1000 + k, 0.5));
      for (int i = 0; i < PARAMS; i++) {
        sum[i] += w * d[i];
      }
      weights += w;
    }
    float[] g = flat(GLOBAL);
    float[] out = new float[PARAMS];
    for (int i = 0; i < PARAMS; i++) {
      out[i] = (float) (g[i] + sum[i] / weights);
    }
    return ModelWeights.of(Tensor.of("w", new int[] {PARAMS}, out));
  }

  /** A one-tensor model of {@code params} values uniform in ±scale from {@code seed}. */
  private static ModelWeights model(int params, long seed, double scale) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[params];
    for (int i = 0; i < params; i++) {
      v[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
    }
    return ModelWeights.of(Tensor.of("w", new int[] {params}, v));
  }

  private static float[] flat(ModelWeights m) {
    return m.get(0).toArray();
  }

  private static void assertClose(ModelWeights expected, ModelWeights actual, double tolerance) {
    float[] e = flat(expected);
    float[] a = flat(actual);
    assertEquals(e.length, a.length);
    double worst = 0;
    for (int i = 0; i < e.length; i++) {
      worst = Math.max(worst, Math.abs(e[i] - a[i]));
    }
    assertTrue(worst <= tolerance, "largest difference " + worst + " above " + tolerance);
  }
}
