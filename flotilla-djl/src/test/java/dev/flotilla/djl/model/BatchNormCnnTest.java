package dev.flotilla.djl.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.djl.PyTorchRuntime;
import dev.flotilla.djl.data.FashionMnist;
import dev.flotilla.djl.data.LabelledImages;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The forward pass of {@link BatchNormCnn}: PyTorch's batch-norm semantics in training and evaluation mode. */
class BatchNormCnnTest {
  static final BatchNormCnn NETWORK = new BatchNormCnn();
  NDManager manager;
  NDArray images;

  @BeforeEach
  void setUp() {
    manager = PyTorchRuntime.engine().newBaseManager();
    LabelledImages data = FashionMnist.train().first(32);
    float[] pixels = new float[32 * 28 * 28];
    for (int i = 0; i < 32; i++) {
      data.copyImage(i, pixels, i * 28 * 28);
    }
    images = manager.create(pixels, new Shape(32, 1, 28, 28));
  }

  @AfterEach
  void tearDown() {
    manager.close();
  }

  @Test
  void trainingModeUpdatesTheRunningStatisticsAsPyTorchDoes() {
    NDList tensors = load(Models.initialWeights("cnn-bn", 1));
    NETWORK.forward(images, tensors, true);

    NDArray conv1 = Conv2d.conv2d(images, tensors.get(0), null).singletonOrThrow(); // [32, 16, 24, 24]
    long n = 32L * 24 * 24;
    NDArray byChannel = conv1.transpose(1, 0, 2, 3).reshape(16, n);
    NDArray batchMean = byChannel.mean(new int[] {1});
    NDArray centred = byChannel.sub(batchMean.reshape(16, 1));
    NDArray unbiasedVar = centred.mul(centred).sum(new int[] {1}).div(n - 1);
    float[] expectedMean = batchMean.mul(0.1f).toFloatArray();
    float[] expectedVar = unbiasedVar.mul(0.1f).add(0.9f).toFloatArray();
    float[] runningMean = tensors.get(3).toFloatArray();
    float[] runningVar = tensors.get(4).toFloatArray();
    for (int c = 0; c < 16; c++) {
      assertThat(runningMean[c]).as("bn1.running_mean[%d]", c).isCloseTo(expectedMean[c], within(1e-5f));
      assertThat(runningVar[c]).as("bn1.running_var[%d]", c).isCloseTo(expectedVar[c], within(1e-4f));
    }
    assertThat(tensors.get(8).toFloatArray()).as("bn2.running_mean changed").isNotEqualTo(new float[32]);
  }

  @Test
  void evaluationModeUsesTheRunningStatisticsAndLeavesThemAlone() {
    ModelWeights initial = Models.initialWeights("cnn-bn", 2);
    NDList tensors = load(initial);
    float[] evaluated = NETWORK.forward(images, tensors, false).toFloatArray();
    assertThat(NETWORK.forward(images, tensors, false).toFloatArray()).isEqualTo(evaluated);
    for (int i = 0; i < initial.count(); i++) {
      assertThat(tensors.get(i).toFloatArray()).as(initial.get(i).name()).isEqualTo(initial.get(i).toArray());
    }

    NDList shifted = load(initial.replacing(ModelWeights.of(
        Tensor.of("bn1.running_mean", new int[] {16}, filled(16, 0.5f)),
        Tensor.of("bn1.running_var", new int[] {16}, filled(16, 4f)))));
    assertThat(NETWORK.forward(images, shifted, false).toFloatArray()).isNotEqualTo(evaluated);
    assertThat(NETWORK.forward(images, shifted, true).toFloatArray())
        .as("training mode normalises with the batch's statistics")
        .isEqualTo(NETWORK.forward(images, load(initial), true).toFloatArray());
  }

  private NDList load(ModelWeights weights) {
    NDList out = new NDList(weights.count());
    for (Tensor t : weights.tensors()) {
      out.add(manager.create(t.toArray(), new Shape(Arrays.stream(t.spec().shape()).asLongStream().toArray())));
    }
    return out;
  }

  private static float[] filled(int n, float value) {
    float[] a = new float[n];
    Arrays.fill(a, value);
    return a;
  }
}
