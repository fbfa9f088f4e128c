package dev.flotilla.core.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.client.ClientMod;
import dev.flotilla.core.client.Context;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.personal.LocalLayers;
import dev.flotilla.core.personal.LocalLayersMod;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.core.testing.FakeClientApp;
import dev.flotilla.core.testing.TestModels;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CompressionModTest {
  private static final ModelWeights GLOBAL = TestModels.small();
  private static final CompressionMod MOD = new CompressionMod();

  private static Message train(ModelWeights model, Config config) {
    return MessageTypes.train(new TrainInstructions(model, config));
  }

  private static Message handle(Message request, Context context, ClientApp app) {
    return ClientMod.wrap(app, List.of(MOD)).handle(request, context);
  }

  @Test
  void passesMessagesWithoutACodecThroughUntouched() {
    FakeClientApp app = FakeClientApp.adding(1, 10);
    Message reply = handle(train(GLOBAL, Config.of("round", 1)), Context.of("c", Config.empty()), app);
    assertThat(reply.arrays().contentEquals(TestModels.plus(GLOBAL, 1))).isTrue();
  }

  @Test
  void sendsTheEncodedUpdateFromTheReceivedModel() {
    FakeClientApp app = FakeClientApp.adding(0.5f, 10);
    Message reply = handle(train(GLOBAL, Config.of(Compression.UPLOAD_KEY, "fp16")), Context.of("c", Config.empty()),
        app);
    assertThat(reply.type()).isEqualTo(MessageTypes.TRAIN_RESULT);
    assertThat(reply.arrays().names()).containsExactly("w/fp16", "b/fp16");
    ModelWeights update = new Float16Codec().decode(reply.arrays(), GLOBAL.specs());
    for (Tensor t : update.tensors()) {
      for (int i = 0; i < t.size(); i++) {
        assertThat(t.get(i)).isCloseTo(0.5f, within(1e-3f));
      }
    }
  }

  @Test
  void decodesTheModelTheServerSentBeforeTheAppSeesIt() {
    FakeClientApp app = FakeClientApp.adding(0, 10);
    Int8Codec int8 = new Int8Codec(false);
    Message request = train(int8.encode(GLOBAL, new Random(1)), Config.of(Compression.DOWNLOAD_KEY, "int8"));
    handle(request, Context.of("c", Config.empty()), app);
    ModelWeights seen = app.trainCalls().get(0).model();
    assertThat(seen.specs()).isEqualTo(GLOBAL.specs());
    assertThat(seen.contentEquals(int8.decode(int8.encode(GLOBAL, new Random(1)), GLOBAL.specs()))).isTrue();

    Message evaluate = MessageTypes.evaluate(new EvaluateInstructions(new Float16Codec().encode(GLOBAL, new Random(1)),
        Config.of(Compression.DOWNLOAD_KEY, "fp16")));
    handle(evaluate, Context.of("c", Config.empty()), app);
    assertThat(app.evaluateCalls().get(0).model().specs()).isEqualTo(GLOBAL.specs());
  }

  @Test
  void anUnknownCodecOrAModelThatDoesNotDecodeIsABadRequestAndTheAppIsNotCalled() {
    FakeClientApp app = FakeClientApp.adding(0, 10);
    Message unknown = handle(train(GLOBAL, Config.of(Compression.UPLOAD_KEY, "int4")),
        Context.of("c", Config.empty()), app);
    assertThat(unknown.error().code()).isEqualTo(MessageError.Code.BAD_REQUEST);
    assertThat(unknown.error().reason()).startsWith("compression: unknown codec 'int4'");
    Message plain = handle(train(GLOBAL, Config.of(Compression.DOWNLOAD_KEY, "int8")),
        Context.of("c", Config.empty()), app);
    assertThat(plain.error().code()).isEqualTo(MessageError.Code.BAD_REQUEST);
    assertThat(plain.error().reason()).contains("belong to no expected tensor");
    assertThat(app.trainCalls()).isEmpty();
  }

  @Test
  void withLocalLayersOnlyTheSharedLayersUpdateIsSent() {
    ClientApp app = FakeClientApp.adding(1, 10);
    Config config = Config.of(Compression.UPLOAD_KEY, "int8", LocalLayers.CONFIG_KEY, "b");
    Message reply = ClientMod.wrap(app, List.of(MOD, new LocalLayersMod())).handle(train(GLOBAL, config),
        Context.of("c", Config.empty()));
    assertThat(reply.arrays().names()).containsExactly("w/q", "w/scale");
  }

  /**
   * Error feedback: a client whose true update is the same every round sends top-10% of it plus its residual. The
   * sum of what it sent differs from the sum of the true updates by the last residual only, which stays bounded, so
   * the relative gap shrinks as 1 / rounds; without error feedback it stays at the share of the update never sent.
   */
  @Test
  void withErrorFeedbackTheSumOfWhatWasSentConvergesToTheSumOfTheTrueUpdates() {
    List<TensorSpec> specs = List.of(new TensorSpec("w", new int[] {200}));
    ModelWeights global = ModelWeights.zeros(specs);
    ModelWeights update = TestModels.random(specs, 9);
    assertThat(relativeGap("topk:0.1", global, update, 10)).isGreaterThan(relativeGap("topk:0.1", global, update, 100));
    assertThat(relativeGap("topk:0.1", global, update, 400)).isLessThan(0.05);
    assertThat(relativeGap("topk:0.1:noef", global, update, 400)).isGreaterThan(0.5);
    assertThat(relativeGap("int8", global, update, 400)).isLessThan(0.01); // nothing to feed back: unbiased enough
  }

  @Test
  void theResidualIsWhatTheEncodingDroppedAndIsForgottenWithoutErrorFeedback() {
    Context context = Context.of("c", Config.empty());
    ClientApp app = FakeClientApp.adding(1, 10);
    handle(train(GLOBAL, Config.of(Compression.UPLOAD_KEY, "topk:0.2")), context, app);
    ModelWeights residual = context.state().arrays(CompressionMod.RESIDUAL_KEY).orElseThrow();
    // w has 6 values of update 1: ceil(0.2 * 6) = 2 sent, 4 kept back; b has 3: 1 sent, 2 kept back
    assertThat(residual.get("w").toArray()).containsExactly(new float[] {0, 0, 1, 1, 1, 1}, within(1e-6f));
    assertThat(residual.get("b").toArray()).containsExactly(new float[] {0, 1, 1}, within(1e-6f));
    handle(train(GLOBAL, Config.of(Compression.UPLOAD_KEY, "topk:0.2:noef")), context, app);
    assertThat(context.state().keys()).doesNotContain(CompressionMod.RESIDUAL_KEY);
  }

  /** |Σ sent − rounds · update| / |rounds · update| after {@code rounds} rounds of a constant {@code update}. */
  private static double relativeGap(String codec, ModelWeights global, ModelWeights update, int rounds) {
    Context context = Context.of("c", Config.empty());
    ClientApp app = FakeClientApp.training(ins -> new TrainResult(Deltas.sum(ins.model(), update), 1, Metrics.empty()));
    Codec decoder = Codecs.parse(codec);
    float[] sent = new float[update.get(0).size()];
    for (int r = 1; r <= rounds; r++) {
      Message reply = handle(train(global, Config.of(Compression.UPLOAD_KEY, codec, "round", r)), context, app);
      decoder.decode(reply.arrays(), global.specs()).get(0).addScaledTo(sent, 1);
    }
    double gap = 0;
    double norm = 0;
    for (int i = 0; i < sent.length; i++) {
      double truth = (double) rounds * update.get(0).get(i);
      gap += (sent[i] - truth) * (sent[i] - truth);
      norm += truth * truth;
    }
    return Math.sqrt(gap / norm);
  }
}
