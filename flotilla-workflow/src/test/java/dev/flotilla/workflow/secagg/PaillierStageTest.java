package dev.flotilla.workflow.secagg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.he.HeSettings;
import dev.flotilla.core.he.PaillierMod;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.workflow.Exchange;
import dev.flotilla.workflow.LocalFleet;
import dev.flotilla.workflow.SyncSettings;
import dev.flotilla.workflow.TrainStage;
import dev.flotilla.workflow.he.PaillierStage;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PaillierStageTest {
  private static final int PARAMS = 3_000;

  @Test
  void thePaillierSumIsThePlainWeightedMeanAndAKeyHolderLossFailsClosed() {
    float[] g = new float[PARAMS];
    ModelWeights global = ModelWeights.of(Tensor.of("w", new int[] {PARAMS}, g));
    LocalFleet fleet = new LocalFleet();
    double[] expected = new double[PARAMS];
    double weights = 0;
    for (int k = 0; k < 4; k++) {
      float[] delta = new float[PARAMS];
      SplittableRandom r = new SplittableRandom(k);
      for (int i = 0; i < PARAMS; i++) {
        delta[i] = (float) (r.nextDouble() - 0.5);
      }
      long examples = 200L * (k + 1);
      double w = examples / 1000.0;
      for (int i = 0; i < PARAMS; i++) {
        expected[i] += w * delta[i];
      }
      weights += w;
      ClientApp app = (m, ctx) -> MessageTypes.trainResult(new TrainResult(
          ModelWeights.of(Tensor.of("w", new int[] {PARAMS}, delta.clone())), examples, Metrics.empty()));
      fleet.add("c" + k, app, new PaillierMod());
    }
    HeSettings settings = new HeSettings(1024, 20, 1.0, 16, 1000, true);
    FedAvg fedAvg = new FedAvg();
    RoundContext ctx = new RoundContext(1, 1, 3);
    SyncSettings sync = SyncSettings.builder().roundTimeout(Duration.ofSeconds(60)).build();
    TrainStage.Outcome out = new PaillierStage(settings, "c2").train(new Exchange(fleet), sync, ctx, fedAvg, global,
        fedAvg.configureTrain(ctx, global, fleet.clients()), () -> { });
    assertEquals(4, out.delivered());
    float[] got = out.aggregate().model().orElseThrow().get(0).toArray();
    double worst = 0;
    for (int i = 0; i < PARAMS; i++) {
      worst = Math.max(worst, Math.abs(got[i] - expected[i] / weights));
    }
    assertTrue(worst < 1e-4, "largest difference " + worst);

    TrainStage.Outcome dedicated = new PaillierStage(settings, "c2", true).train(new Exchange(fleet), sync, ctx,
        fedAvg, global, fedAvg.configureTrain(ctx, global, fleet.clients()), () -> { });
    assertEquals(3, dedicated.delivered(), "a dedicated key holder does not train");

    fleet.drop((id, m) -> id.equals("c2") && m.type().equals(PaillierMod.DECRYPT));
    TrainStage.Outcome lost = new PaillierStage(settings, "c2").train(new Exchange(fleet), sync, ctx, fedAvg,
        global, fedAvg.configureTrain(ctx, global, fleet.clients()), () -> { });
    assertTrue(lost.aggregate().model().isEmpty(), "no model without the key holder's decryption");
  }
}
