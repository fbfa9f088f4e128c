package dev.flotilla.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FedAvgTest {
  private static ModelWeights scalar(float v) {
    return ModelWeights.of(List.of(Tensor.of("x", new int[] {1}, new float[] {v})));
  }

  private static List<ClientInfo> clients(int n) {
    return IntStream.range(0, n).mapToObj(i -> new ClientInfo("c" + i, Config.empty())).toList();
  }

  @Test
  void aggregatesByNumberOfExamples() {
    FedAvg fedAvg = new FedAvg();
    ResultStream<TrainResult> results = ResultStream.of(List.of(
        new ClientResult<>("a", new TrainResult(scalar(1), 10, Metrics.empty())),
        new ClientResult<>("b", new TrainResult(scalar(2), 30, Metrics.empty())),
        new ClientResult<>("c", new TrainResult(scalar(100), 0, Metrics.empty()))), List.of());
    AggregateResult result = fedAvg.aggregateTrain(new RoundContext(1, 1, 0), scalar(0), results);
    Optional<ModelWeights> out = result.model();
    // (10*1 + 30*2) / 40 = 1.75; the client with 0 examples does not count
    assertThat(out).isPresent();
    assertThat(out.get().get(0).get(0)).isCloseTo(1.75f, within(1e-6f));
    assertThat(result.metrics().get(StrategyMetrics.RESULTS_USED)).hasValue(2);
  }

  @Test
  void noResultsKeepsTheModel() {
    ResultStream<TrainResult> none = ResultStream.of(List.of(),
        List.of(new ClientFailure("a", ClientFailure.Kind.TIMEOUT, "late")));
    assertThat(new FedAvg().aggregateTrain(new RoundContext(1, 1, 0), scalar(0), none).model()).isEmpty();
  }

  @Test
  void samplesFractionDeterministicallyAndSendsRoundConfig() {
    FedAvg fedAvg = new FedAvg(FedAvg.Settings.builder()
        .train(new Sampling(0.3, 2))
        .trainConfig(Config.of("lr", 0.05))
        .build());
    List<ClientInfo> available = clients(10);
    List<ClientTask<TrainInstructions>> a = fedAvg.configureTrain(new RoundContext(3, 10, 42), scalar(0), available);
    List<ClientInfo> reversed = new ArrayList<>(available);
    java.util.Collections.reverse(reversed);
    List<ClientTask<TrainInstructions>> b = fedAvg.configureTrain(new RoundContext(3, 10, 42), scalar(0), reversed);
    assertThat(a).hasSize(3);
    assertThat(a.stream().map(ClientTask::clientId)).containsExactlyElementsOf(b.stream().map(ClientTask::clientId)
        .toList());
    assertThat(a.get(0).instructions().config().getDouble("lr", 0)).isEqualTo(0.05);
    assertThat(a.get(0).instructions().config().getInt("round", 0)).isEqualTo(3);

    // different rounds draw different samples at least sometimes
    long distinct = IntStream.rangeClosed(1, 10)
        .mapToObj(r -> fedAvg.configureTrain(new RoundContext(r, 10, 42), scalar(0), available).stream()
            .map(ClientTask::clientId).toList())
        .distinct().count();
    assertThat(distinct).isGreaterThan(1);
  }

  @Test
  void minClientsRaisesTheSample() {
    assertThat(new Sampling(0.1, 5).size(10)).isEqualTo(5);
    assertThat(new Sampling(0.1, 5).size(3)).isEqualTo(3);
    assertThat(new Sampling(0.5, 0).size(7)).isEqualTo(4);
    assertThat(Sampling.all().size(7)).isEqualTo(7);
  }
}
