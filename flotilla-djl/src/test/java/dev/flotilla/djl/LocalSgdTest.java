package dev.flotilla.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.flotilla.core.client.Context;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.djl.data.FashionMnist;
import dev.flotilla.djl.data.LabelledImages;
import dev.flotilla.djl.model.Models;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * FedProx, label flipping, buffers and the seeded shuffling of local SGD, on a few hundred Fashion-MNIST images.
 */
class LocalSgdTest {
  static final Context CONTEXT = Context.of("client-1", Config.empty());
  static LabelledImages data;

  @BeforeAll
  static void loadData() {
    data = FashionMnist.train().first(300);
  }

  @Test
  void aLargeProximalTermKeepsTheModelNearTheGlobalOne() {
    ModelWeights global = Models.initialWeights("mlp", 4);
    Config base = Config.of("lr", 0.05, "batch_size", 20, "local_epochs", 2, "round", 1);
    try (DjlClientApp app = new DjlClientApp("mlp", data, 3)) {
      ModelWeights plain = train(app, global, base);
      ModelWeights prox = train(app, global, base.with("proximal_mu", 10.0));
      double plainDrift = distance(plain, global);
      double proxDrift = distance(prox, global);
      assertThat(plainDrift).isGreaterThan(0.3);
      assertThat(proxDrift / plainDrift).isLessThan(0.3);
      ModelWeights mild = train(app, global, base.with("proximal_mu", 0.1));
      assertThat(distance(mild, global)).isBetween(proxDrift, plainDrift);
    }
  }

  @Test
  void aZeroProximalTermIsPlainSgdBitForBit() {
    ModelWeights global = Models.initialWeights("mlp", 5);
    Config base = Config.of("lr", 0.05, "momentum", 0.9, "batch_size", 16, "round", 2);
    try (DjlClientApp app = new DjlClientApp("mlp", data, 8)) {
      ModelWeights plain = train(app, global, base);
      assertThat(train(app, global, base.with("proximal_mu", 0.0)).contentEquals(plain)).isTrue();
      assertThat(train(app, global, base.with("proximal_mu", 1.0)).contentEquals(plain)).isFalse();
    }
  }

  @Test
  void flippedLabelsTeachTheMirroredClasses() {
    ModelWeights global = Models.initialWeights("mlp", 6);
    Config base = Config.of("lr", 0.1, "momentum", 0.5, "batch_size", 10, "local_epochs", 3);
    try (DjlClientApp app = new DjlClientApp("mlp", data, 2)) {
      ModelWeights honest = train(app, global, base);
      ModelWeights flipped = train(app, global, base.with("label_flip", true));
      double honestAccuracy = accuracy(app, honest);
      double flippedAccuracy = accuracy(app, flipped);
      assertThat(honestAccuracy).isGreaterThan(0.6);
      assertThat(flippedAccuracy).isLessThan(0.15);
      assertThat(train(app, global, base.with("label_flip", false)).contentEquals(honest)).isTrue();
    }
  }

  @Test
  void buffersFollowTheForwardPassWhileSgdTrainsTheParameters() {
    LabelledImages batch = data.first(64);
    ModelWeights initial = Models.initialWeights("cnn-bn", 7);
    ModelWeights trained;
    try (DjlClientApp app = new DjlClientApp("cnn-bn", batch, 1)) {
      trained = train(app, initial, Config.of("lr", 0.5, "batch_size", 64));
    }
    ModelWeights oneForwardPass;
    try (DjlModel model = new DjlModel(Models.network("cnn-bn"));
        NDManager scope = model.manager().newSubManager()) {
      model.load(initial);
      NDList images = new BatchAssembler(64, 28, 28).assemble(scope, batch, null, 0, 64, IntUnaryOperator.identity());
      model.forward(images.get(0), true);
      oneForwardPass = model.weights();
    }
    for (String buffer : Models.network("cnn-bn").bufferNames()) {
      float[] expected = oneForwardPass.get(buffer).toArray();
      assertThat(expected).as(buffer).isNotEqualTo(initial.get(buffer).toArray());
      assertThat(trained.get(buffer).toArray()).as(buffer).containsExactly(expected, within(1e-4f));
    }
    assertThat(trained.get("bn1.weight").toArray()).isNotEqualTo(initial.get("bn1.weight").toArray());
    assertThat(trained.get("fc.bias").toArray()).isNotEqualTo(initial.get("fc.bias").toArray());
  }

  @Test
  void theShuffleSeedIsTheSplitMix64OfSeedAndRound() {
    // Values from before the mixing moved to core's Seeds: reruns of old experiments must shuffle the same way.
    assertThat(LocalSgd.shuffleSeed(0, 0)).isEqualTo(0L);
    assertThat(LocalSgd.shuffleSeed(0, 1)).isEqualTo(6238072747940578789L);
    assertThat(LocalSgd.shuffleSeed(42, 3)).isEqualTo(-9075771055647653584L);
  }

  @Test
  void anInterruptedThreadStopsTrainingBeforeTheNextBatchAndTheAppCarriesOn() throws Exception {
    ModelWeights global = Models.initialWeights("mlp", 6);
    Config config = Config.of("lr", 0.05, "batch_size", 10, "local_epochs", 50, "round", 1);
    try (DjlClientApp app = new DjlClientApp("mlp", data, 3)) {
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      Thread worker = new Thread(() -> {
        try {
          train(app, global, config); // 50 epochs: far longer than the test waits
        } catch (Throwable t) {
          thrown.set(t);
        }
      });
      worker.start();
      Thread.sleep(300);
      long interrupted = System.nanoTime();
      worker.interrupt();
      worker.join(10_000);

      assertThat(worker.isAlive()).isFalse();
      assertThat(thrown.get()).isInstanceOf(CancellationException.class).hasMessageContaining("batches");
      assertThat((System.nanoTime() - interrupted) / 1_000_000).as("stopped within a batch or so").isLessThan(2000);
      assertThat(train(app, global, config.with("local_epochs", 1)).count()).isEqualTo(global.count());
    }
  }

  static ModelWeights train(DjlClientApp app, ModelWeights global, Config config) {
    return app.train(new TrainInstructions(global, config), CONTEXT).weights();
  }

  static double accuracy(DjlClientApp app, ModelWeights weights) {
    return app.evaluate(new EvaluateInstructions(weights, Config.empty()), CONTEXT).accuracy();
  }

  /** The L2 distance between two sets of float32 weights with the same specs. */
  static double distance(ModelWeights a, ModelWeights b) {
    double sum = 0;
    for (int i = 0; i < a.count(); i++) {
      Tensor x = a.get(i);
      Tensor y = b.get(i);
      for (int j = 0; j < x.size(); j++) {
        double d = (double) x.get(j) - y.get(j);
        sum += d * d;
      }
    }
    return Math.sqrt(sum);
  }
}
