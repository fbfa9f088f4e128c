package dev.flotilla.core.compress;

import static dev.flotilla.core.testing.TrainRounds.round;
import static dev.flotilla.core.testing.TrainRounds.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.personal.LocalLayers;
import dev.flotilla.core.strategy.AggregateResult;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.core.strategy.ClientResult;
import dev.flotilla.core.strategy.ClientTask;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.FedMedian;
import dev.flotilla.core.strategy.Sampling;
import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.core.testing.TestModels;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CompressionTest {
  private static final ModelWeights GLOBAL = TestModels.small();
  private static final List<ClientInfo> CLIENTS = List.of(new ClientInfo("a", Config.empty()),
      new ClientInfo("b", Config.empty()));
  private static final Int8Codec INT8 = new Int8Codec(false);

  /** What a client running {@link CompressionMod} sends for a model trained to {@code GLOBAL + delta}. */
  private static TrainResult sent(Codec codec, float delta, long examples) {
    ModelWeights update = Deltas.difference(TestModels.plus(GLOBAL, delta), GLOBAL);
    return new TrainResult(codec.encode(update, new Random(1)), examples, Metrics.empty());
  }

  @Test
  void namesTheCodecsAndSendsTheModelEncodedOnlyWhenAskedTo() {
    List<ClientTask<TrainInstructions>> plain = new Compression(new FedAvg(), INT8, null)
        .configureTrain(round(1), GLOBAL, CLIENTS);
    assertThat(plain.get(0).instructions().config().getString(Compression.UPLOAD_KEY, "")).isEqualTo("int8");
    assertThat(plain.get(0).instructions().config().has(Compression.DOWNLOAD_KEY)).isFalse();
    assertThat(plain.get(0).instructions().model()).isSameAs(GLOBAL);

    List<ClientTask<TrainInstructions>> down = new Compression(new FedAvg(), INT8, new Float16Codec())
        .configureTrain(round(1), GLOBAL, CLIENTS);
    assertThat(down.get(1).instructions().config().getString(Compression.DOWNLOAD_KEY, "")).isEqualTo("fp16");
    assertThat(down.get(1).instructions().model().names()).containsExactly("w/fp16", "b/fp16");
    assertThat(down.get(0).instructions().model()).isSameAs(down.get(1).instructions().model()); // encoded once
  }

  @Test
  void aSparseCodecCannotCarryTheModelToClients() {
    assertThatThrownBy(() -> new Compression(new FedAvg(), INT8, new TopKCodec(0.01, true)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topk:0.01 sparsifies updates and cannot carry the global model to clients");
  }

  @Test
  void aggregatesTheModelsThatTheDecodedUpdatesLeadTo() {
    Compression strategy = new Compression(new FedAvg(), new Float16Codec(), null);
    AggregateResult out = strategy.aggregateTrain(round(1), GLOBAL, stream(
        new ClientResult<>("a", sent(new Float16Codec(), 1, 10)),
        new ClientResult<>("b", sent(new Float16Codec(), 4, 30))));
    ModelWeights model = out.model().orElseThrow();
    for (int t = 0; t < GLOBAL.count(); t++) {
      for (int i = 0; i < GLOBAL.get(t).size(); i++) {
        assertThat(model.get(t).get(i)).isCloseTo(GLOBAL.get(t).get(i) + 3.25f, within(2e-3f));
      }
    }
  }

  @Test
  void robustStrategiesGetEveryDecodedModel() {
    Compression strategy = new Compression(new FedMedian(FedAvg.Settings.builder().train(Sampling.all()).build()),
        INT8, null);
    AggregateResult out = strategy.aggregateTrain(round(1), GLOBAL, stream(
        new ClientResult<>("a", sent(INT8, 1, 1)), new ClientResult<>("b", sent(INT8, 2, 1)),
        new ClientResult<>("c", sent(INT8, 30, 1))));
    assertThat(out.model().orElseThrow().get("b").get(0)).isCloseTo(GLOBAL.get("b").get(0) + 2, within(0.02f));
  }

  @Test
  void acceptsAValidPayloadAndNamesTheProblemOfABadOne() {
    Compression strategy = new Compression(new FedAvg(), INT8, null);
    TrainResult good = sent(INT8, 1, 10);
    assertThat(strategy.checkTrainResult(GLOBAL, good)).isEmpty();

    ModelWeights truncated = good.weights().replacing(ModelWeights.of(Tensor.wrapBytes(
        new TensorSpec("w/q", DType.INT8, new int[] {2, 2}),
        new byte[4])));
    assertThat(strategy.checkTrainResult(GLOBAL, new TrainResult(truncated, 10, Metrics.empty())))
        .hasValue("the compressed update does not decode: int8: tensor 'w': array 'w/q' should have shape [2, 3],"
            + " got [2, 2]");

    ModelWeights missing = good.weights().filter(n -> !n.startsWith("b/"));
    assertThat(strategy.checkTrainResult(GLOBAL, new TrainResult(missing, 10, Metrics.empty())).orElseThrow())
        .startsWith("expected 2 tensors");

    TrainResult plainModel = new TrainResult(TestModels.plus(GLOBAL, 1), 10, Metrics.empty());
    assertThat(strategy.checkTrainResult(GLOBAL, plainModel).orElseThrow())
        .contains("belong to no expected tensor: [w, b]");

    TrainResult zstdCorrupt = new TrainResult(ModelWeights.of(Tensor.ofBytes("zstd", new byte[30])), 10,
        Metrics.empty());
    assertThat(new Compression(new FedAvg(), Codecs.parse("int8+zstd"), null).checkTrainResult(GLOBAL, zstdCorrupt)
        .orElseThrow()).isEqualTo("the compressed update does not decode: int8+zstd: the payload does not start with"
        + " the magic number (0x00000000)");
  }

  @Test
  void aroundLocalLayersTheUpdateOfTheSharedLayersIsEnough() {
    Compression strategy = new Compression(new LocalLayers(new FedAvg(), "b"), INT8, null);
    TrainResult shared = new TrainResult(INT8.encode(ModelWeights.of(Tensor.of("w", new int[] {2, 3},
        new float[] {1, 1, 1, 1, 1, 1})), new Random(1)), 10, Metrics.empty());
    assertThat(strategy.checkTrainResult(GLOBAL, shared)).isEmpty();
    ModelWeights model = strategy.aggregateTrain(round(1), GLOBAL, stream(new ClientResult<>("a", shared)))
        .model().orElseThrow();
    assertThat(model.get("w").get(0)).isCloseTo(GLOBAL.get("w").get(0) + 1, within(1e-6f));
    assertThat(model.get("b").contentEquals(GLOBAL.get("b"))).isTrue();
  }
}
