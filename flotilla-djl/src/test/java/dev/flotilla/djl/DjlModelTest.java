package dev.flotilla.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.djl.model.Models;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DjlModelTest {
  @Test
  void weightsRoundTripBitForBit() {
    ModelWeights weights = Models.initialWeights("cnn", 5);
    try (DjlModel model = new DjlModel(Models.network("cnn"))) {
      model.load(weights);
      ModelWeights back = model.weights();
      assertThat(back.contentEquals(weights)).isTrue();

      ModelWeights other = Models.initialWeights("cnn", 6);
      model.load(other);
      assertThat(model.weights().contentEquals(other)).isTrue();
      assertThat(back.contentEquals(weights)).as("earlier result unaffected").isTrue();
    }
  }

  @Test
  void buffersRoundTripAndAreNotTrainable() {
    ModelWeights weights = Models.initialWeights("cnn-bn", 5);
    try (DjlModel model = new DjlModel(Models.network("cnn-bn"))) {
      model.load(weights);
      assertThat(model.weights().contentEquals(weights)).isTrue();
      List<String> frozen = new ArrayList<>();
      for (int i = 0; i < weights.count(); i++) {
        if (!model.isTrainable(i)) {
          frozen.add(weights.get(i).name());
        }
      }
      assertThat(frozen).containsExactly("bn1.running_mean", "bn1.running_var", "bn2.running_mean", "bn2.running_var");
    }
  }

  @Test
  void rejectsWeightsOfAnotherShapeNamingTheTensor() {
    List<Tensor> tensors = new ArrayList<>(Models.initialWeights("cnn", 1).tensors());
    tensors.set(2, Tensor.of("conv2.weight", new int[] {64, 32, 3, 3}, new float[64 * 32 * 9]));
    try (DjlModel model = new DjlModel(Models.network("cnn"))) {
      assertThatThrownBy(() -> model.load(ModelWeights.of(tensors)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expects conv2.weight[64, 32, 5, 5] at position 2, got conv2.weight[64, 32, 3, 3]");
      assertThatThrownBy(() -> model.load(Models.initialWeights("mlp", 1)))
          .hasMessageContaining("model 'cnn' has 8 tensors");
    }
  }
}
