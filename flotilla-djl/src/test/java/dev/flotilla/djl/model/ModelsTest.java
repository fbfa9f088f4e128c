package dev.flotilla.djl.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ModelsTest {
  @Test
  void theCnnIsTheFedAvgPaperCnnWithPyTorchNames() {
    List<TensorSpec> specs = Models.specs("cnn");
    assertThat(specs).containsExactly(
        new TensorSpec("conv1.weight", new int[] {32, 1, 5, 5}),
        new TensorSpec("conv1.bias", new int[] {32}),
        new TensorSpec("conv2.weight", new int[] {64, 32, 5, 5}),
        new TensorSpec("conv2.bias", new int[] {64}),
        new TensorSpec("fc1.weight", new int[] {512, 1024}),
        new TensorSpec("fc1.bias", new int[] {512}),
        new TensorSpec("fc2.weight", new int[] {10, 512}),
        new TensorSpec("fc2.bias", new int[] {10}));
    assertThat(Models.network("cnn").numParameters()).isEqualTo(582_026);
    assertThat(Models.initialWeights("cnn", 1).numParameters()).isEqualTo(582_026);
  }

  @Test
  void theMlpIsTheFedAvgPaper2nn() {
    assertThat(Models.specs("mlp")).extracting(TensorSpec::name)
        .containsExactly("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias");
    assertThat(Models.network("mlp").numParameters()).isEqualTo(199_210);
  }

  @Test
  void theBatchNormCnnHasPyTorchNamesWithRunningStatisticsAsBuffers() {
    assertThat(Models.specs("cnn-bn")).containsExactly(
        new TensorSpec("conv1.weight", new int[] {16, 1, 5, 5}),
        new TensorSpec("bn1.weight", new int[] {16}),
        new TensorSpec("bn1.bias", new int[] {16}),
        new TensorSpec("bn1.running_mean", new int[] {16}),
        new TensorSpec("bn1.running_var", new int[] {16}),
        new TensorSpec("conv2.weight", new int[] {32, 16, 5, 5}),
        new TensorSpec("bn2.weight", new int[] {32}),
        new TensorSpec("bn2.bias", new int[] {32}),
        new TensorSpec("bn2.running_mean", new int[] {32}),
        new TensorSpec("bn2.running_var", new int[] {32}),
        new TensorSpec("fc.weight", new int[] {10, 512}),
        new TensorSpec("fc.bias", new int[] {10}));
    Network network = Models.network("cnn-bn");
    assertThat(network.bufferNames())
        .containsExactlyInAnyOrder("bn1.running_mean", "bn1.running_var", "bn2.running_mean", "bn2.running_var");
    assertThat(network.isTrainable("bn1.weight")).isTrue();
    assertThat(network.isTrainable("bn2.running_var")).isFalse();
    assertThat(network.numParameters()).isEqualTo(18_426 + 96);
    assertThat(Models.network("cnn").bufferNames()).isEmpty();
  }

  @Test
  void normalisationLayersStartAsTheIdentityAndDrawNoRandomNumbers() {
    ModelWeights w = Models.initialWeights("cnn-bn", 3);
    assertThat(w.get("bn1.weight").toArray()).containsOnly(1f);
    assertThat(w.get("bn1.bias").toArray()).containsOnly(0f);
    assertThat(w.get("bn2.running_mean").toArray()).containsOnly(0f);
    assertThat(w.get("bn2.running_var").toArray()).containsOnly(1f);
    float bound = (float) (1 / Math.sqrt(16 * 25));
    for (float v : w.get("conv2.weight").toArray()) {
      assertThat(Math.abs(v)).isLessThanOrEqualTo(bound);
    }
    assertThat(w.get("fc.bias").toArray()).isNotEqualTo(new float[10]);
  }

  @Test
  void headAndNormalisationPatternsNameTheRightTensors() {
    assertThat(matching("cnn", Models.network("cnn").headPattern())).containsExactly("fc2.weight", "fc2.bias");
    assertThat(matching("mlp", Models.network("mlp").headPattern())).containsExactly("fc3.weight", "fc3.bias");
    assertThat(matching("cnn-bn", Models.network("cnn-bn").headPattern())).containsExactly("fc.weight", "fc.bias");
    assertThat(Models.network("cnn-bn").normalizationPattern()).isEqualTo("bn\\d+\\..*");
    assertThat(matching("cnn-bn", Models.network("cnn-bn").normalizationPattern())).containsExactly(
        "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
        "bn2.weight", "bn2.bias", "bn2.running_mean", "bn2.running_var");
    assertThat(matching("cnn", Models.network("cnn").normalizationPattern())).isEmpty();
    assertThat(matching("mlp", Models.network("mlp").normalizationPattern())).isEmpty();
  }

  @Test
  void initialWeightsAreDeterministicPerSeed() {
    ModelWeights a = Models.initialWeights("cnn", 42);
    assertThat(a.contentEquals(Models.initialWeights("cnn", 42))).isTrue();
    assertThat(a.contentEquals(Models.initialWeights("cnn", 43))).isFalse();
    assertThat(a.specs()).isEqualTo(Models.specs("cnn"));
  }

  @Test
  void initialWeightsAreUniformWithinOneOverRootFanIn() {
    ModelWeights w = Models.initialWeights("cnn", 7);
    double[] bounds = {1 / Math.sqrt(25), 1 / Math.sqrt(25), 1 / Math.sqrt(800), 1 / Math.sqrt(800),
        1 / Math.sqrt(1024), 1 / Math.sqrt(1024), 1 / Math.sqrt(512), 1 / Math.sqrt(512)};
    for (int i = 0; i < w.count(); i++) {
      Tensor t = w.get(i);
      double max = 0;
      double sum = 0;
      for (int j = 0; j < t.size(); j++) {
        max = Math.max(max, Math.abs(t.get(j)));
        sum += t.get(j);
      }
      assertThat(max).as(t.name()).isLessThanOrEqualTo(bounds[i]).isGreaterThan(bounds[i] * 0.8);
      assertThat(Math.abs(sum / t.size())).as(t.name()).isLessThan(bounds[i] * 0.5);
    }
  }

  @Test
  void logisticRegressionIsOneLinearLayer() {
    assertThat(Models.initialWeights("logreg", 1).numParameters()).isEqualTo(784 * 10 + 10);
    assertThat(matching("logreg", Models.network("logreg").headPattern())).containsExactly("fc.weight", "fc.bias");
  }

  @Test
  void unknownModelsAreNamed() {
    assertThat(Models.names()).containsExactly("cnn", "mlp", "cnn-bn", "logreg");
    assertThatThrownBy(() -> Models.network("resnet"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown model 'resnet'")
        .hasMessageContaining("cnn, mlp, cnn-bn");
  }

  private static List<String> matching(String model, String regex) {
    Pattern pattern = Pattern.compile(regex);
    return Models.specs(model).stream().map(TensorSpec::name).filter(n -> pattern.matcher(n).matches()).toList();
  }
}
