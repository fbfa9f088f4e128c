package dev.flotilla.core.privacy;

import static dev.flotilla.core.testing.TrainRounds.round;
import static dev.flotilla.core.testing.TrainRounds.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.AggregateResult;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.core.strategy.ClientResult;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.Sampling;
import dev.flotilla.core.strategy.StrategyState;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DpAdaptiveClippingTest {
  private static final ModelWeights GLOBAL = ModelWeights.of(Tensor.of("x", new int[] {2}, new float[2]));
  private static final List<ClientInfo> CLIENTS = IntStream.range(0, 500)
      .mapToObj(i -> new ClientInfo("c" + i, Config.empty())).toList();
  private static final int PER_ROUND = 50;

  private static DpAdaptiveClipping strategy(double z, double quantile) {
    return new DpAdaptiveClipping(new FedAvg(FedAvg.Settings.builder().train(new Sampling(0, PER_ROUND)).build()),
        DpSettings.builder().noiseMultiplier(z).clip(0.1).noiseSeed(3).build(), DpAdaptiveClipping.Settings.of(quantile));
  }

  /** Updates whose norms are uniform on [0, 2]: the q-quantile of the norm is 2q. */
  private static List<ClientResult<TrainResult>> uniformNorms(SplittableRandom random) {
    List<ClientResult<TrainResult>> out = new ArrayList<>();
    for (int k = 0; k < PER_ROUND; k++) {
      double norm = 2 * random.nextDouble();
      double angle = 2 * Math.PI * random.nextDouble();
      ModelWeights w = ModelWeights.of(Tensor.of("x", new int[] {2},
          new float[] {(float) (norm * Math.cos(angle)), (float) (norm * Math.sin(angle))}));
      out.add(new ClientResult<>("c" + k, new TrainResult(w, 10, Metrics.empty())));
    }
    return out;
  }

  /** The mean clip over rounds 201–300 (the model is left at zero, so the norms keep their distribution). */
  private static double settledClip(DpAdaptiveClipping strategy) {
    SplittableRandom random = new SplittableRandom(9);
    double sum = 0;
    for (int r = 1; r <= 300; r++) {
      strategy.configureTrain(round(r), GLOBAL, CLIENTS);
      AggregateResult out = strategy.aggregateTrain(round(r), GLOBAL, stream(uniformNorms(random)));
      if (r > 200) {
        sum += out.metrics().get(PrivacyMetrics.CLIP).orElseThrow();
      }
    }
    return sum / 100;
  }

  @Test
  void theClipConvergesToTheTargetQuantileOfTheNorms() {
    assertThat(settledClip(strategy(0.5, 0.5))).isCloseTo(1.0, within(0.1));
    assertThat(settledClip(strategy(0.5, 0.8))).isCloseTo(1.6, within(0.15));
    assertThat(settledClip(strategy(0, 0.2))).isCloseTo(0.4, within(0.06));
  }

  @Test
  void geometricUpdate() {
    assertThat(DpAdaptiveClipping.nextClip(2, 0.5, 0.5, 0.2)).isEqualTo(2);
    assertThat(DpAdaptiveClipping.nextClip(1, 1.0, 0.5, 0.2)).isCloseTo(Math.exp(-0.1), within(1e-15));
    assertThat(DpAdaptiveClipping.nextClip(1, 0.0, 0.5, 0.2)).isCloseTo(Math.exp(0.1), within(1e-15));
  }

  /** Andrew et al., Theorem 1: (z_Δ⁻² + (2σ_b)⁻²)^(−1/2) = z, so the accountant's z covers both releases. */
  @Test
  void updateNoiseIsRaisedSoThatBothReleasesTogetherCostZ() {
    DpAdaptiveClipping s = strategy(1.5, 0.5);
    double zDelta = s.updateNoiseMultiplier(PER_ROUND);
    double sigmaB = s.countStddev(PER_ROUND);
    assertThat(sigmaB).isEqualTo(Math.max(PER_ROUND / 20.0, 1.8));
    assertThat(Math.pow(Math.pow(zDelta, -2) + Math.pow(2 * sigmaB, -2), -0.5)).isCloseTo(1.5, within(1e-12));
    assertThat(zDelta).isGreaterThan(1.5).isLessThanOrEqualTo(1.5 * 1.1);
    assertThatThrownBy(() -> new DpAdaptiveClipping(new FedAvg(),
        DpSettings.builder().noiseMultiplier(2).clip(1).build(),
        new DpAdaptiveClipping.Settings(0.5, 0.2, OptionalDouble.of(0.5))))
        .hasMessageContaining("2 * stddev > z");
  }

  @Test
  void theClipIsSavedWithTheAccountant() {
    DpAdaptiveClipping a = strategy(0.5, 0.5);
    SplittableRandom random = new SplittableRandom(1);
    for (int r = 1; r <= 5; r++) {
      a.configureTrain(round(r), GLOBAL, CLIENTS);
      a.aggregateTrain(round(r), GLOBAL, stream(uniformNorms(random)));
    }
    StrategyState saved = a.state();
    DpAdaptiveClipping b = strategy(0.5, 0.5);
    b.restore(saved);
    assertThat(b.clip()).isEqualTo(a.clip()).isNotEqualTo(0.1);
    assertThat(b.spent()).isEqualTo(a.spent());
    b.restore(StrategyState.empty());
    assertThat(b.clip()).isEqualTo(0.1);
  }
}
