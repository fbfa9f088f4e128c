package dev.flotilla.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.AggregateResult;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.ResultStream;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** FedBuff's arithmetic on two-number models, computed by hand. */
class UpdateBufferTest {
  private static ModelWeights model(float a, float b) {
    return ModelWeights.of(Tensor.of("w", new int[] {2}, new float[] {a, b}));
  }

  @Test
  void anUpdateIsTakenAgainstTheVersionItsClientStartedFrom() {
    ModelWeights update = UpdateBuffer.update(model(3, 5), model(1, 1));
    assertThat(update.get("w").toArray()).containsExactly(2f, 4f);
  }

  @Test
  void aFullBufferAppliesTheMeanOfTheStalenessWeightedUpdates() {
    // global w = (10, 10); updates (2, 4) with weight 1, (-4, 8) with weight 0.5, (6, 0) with weight 0.25:
    // mean = ((2 - 2 + 1.5) / 3, (4 + 4 + 0) / 3) = (0.5, 8 / 3)
    UpdateBuffer buffer = new UpdateBuffer();
    buffer.add("a", model(2, 4), 1, Metrics.empty());
    buffer.add("b", model(-4, 8), 0.5, Metrics.empty());
    buffer.add("c", model(6, 0), 0.25, Metrics.empty());
    ModelWeights global = model(10, 10);

    assertThat(buffer.size()).isEqualTo(3);
    assertThat(buffer.weights()).containsExactly(1.0, 0.5, 0.25);
    float[] mean = buffer.meanUpdate(global).get("w").toArray();
    assertThat(mean[0]).isCloseTo(0.5f, within(1e-6f));
    assertThat(mean[1]).isCloseTo(8f / 3, within(1e-6f));

    // the results FedAvg averages: w + s_i * delta_i, one example each
    List<TrainResult> results = buffer.results(global).stream().map(r -> r.result()).toList();
    assertThat(results.get(1).weights().get("w").toArray()).containsExactly(8f, 14f);
    assertThat(results).allMatch(r -> r.numExamples() == 1);
    AggregateResult applied = new FedAvg().aggregateTrain(new RoundContext(1, 1, 0), global,
        ResultStream.of(buffer.results(global), List.of()));
    float[] next = applied.model().orElseThrow().get("w").toArray();
    assertThat(next[0]).isCloseTo(10.5f, within(1e-5f));
    assertThat(next[1]).isCloseTo(10 + 8f / 3, within(1e-5f));

    buffer.clear();
    assertThat(buffer.size()).isZero();
  }

  @Test
  void tensorsAResultLacksKeepTheGlobalValues() {
    ModelWeights global = ModelWeights.of(Tensor.of("shared", new int[] {1}, new float[] {1}),
        Tensor.of("personal", new int[] {1}, new float[] {7}));
    UpdateBuffer buffer = new UpdateBuffer();
    buffer.add("a", ModelWeights.of(Tensor.of("shared", new int[] {1}, new float[] {2})), 1, Metrics.empty());
    ModelWeights result = buffer.results(global).get(0).result().weights();
    assertThat(result.get("shared").toArray()).containsExactly(3f);
    assertThat(result.get("personal").toArray()).containsExactly(7f);
  }
}
