package dev.flotilla.core.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AttackTest {
  private static final ModelWeights GLOBAL = ModelWeights.of(Tensor.of("w", new int[] {2}, new float[] {1, 2}),
      Tensor.of("b", new int[] {1}, new float[] {0}));
  private static final ModelWeights TRAINED = ModelWeights.of(Tensor.of("w", new int[] {2}, new float[] {1.5f, 1}),
      Tensor.of("b", new int[] {1}, new float[] {0.25f}));

  @Test
  void signFlipSendsTheNegatedUpdate() {
    // update (0.5, -1, 0.25) negated: 1 - 0.5, 2 + 1, 0 - 0.25
    ModelWeights sent = new SignFlip().poison(GLOBAL, TRAINED, 0);
    assertThat(sent.get("w").toArray()).containsExactly(0.5f, 3f);
    assertThat(sent.get("b").toArray()).containsExactly(-0.25f);
  }

  @Test
  void scaleMultipliesTheUpdate() {
    // 1 + 10 * 0.5, 2 + 10 * -1, 0 + 10 * 0.25
    ModelWeights sent = new ScaledUpdate(10).poison(GLOBAL, TRAINED, 0);
    assertThat(sent.get("w").toArray()).containsExactly(6f, -8f);
    assertThat(sent.get("b").toArray()).containsExactly(2.5f);
  }

  @Test
  void gaussianNoiseIsAddedToTheTrainedWeightsFromTheSeed() {
    ModelWeights sent = new GaussianNoise(0.5).poison(GLOBAL, TRAINED, 42);

    Random expected = new Random(42);
    assertThat(sent.get("w").get(0)).isEqualTo((float) (1.5 + 0.5 * expected.nextGaussian()));
    assertThat(sent.get("w").get(1)).isEqualTo((float) (1 + 0.5 * expected.nextGaussian()));
    assertThat(sent.get("b").get(0)).isEqualTo((float) (0.25 + 0.5 * expected.nextGaussian()));
    assertThat(new GaussianNoise(0.5).poison(GLOBAL, TRAINED, 42).contentEquals(sent)).isTrue();
    assertThat(new GaussianNoise(0.5).poison(GLOBAL, TRAINED, 43).contentEquals(sent)).isFalse();
  }

  @Test
  void gaussianNoiseHasTheStatedStandardDeviation() {
    int n = 40_000;
    ModelWeights zeros = ModelWeights.of(Tensor.of("w", new int[] {n}, new float[n]));
    float[] noise = new GaussianNoise(2).poison(zeros, zeros, 7).get("w").toArray();
    double sum = 0;
    double squares = 0;
    for (float v : noise) {
      sum += v;
      squares += (double) v * v;
    }
    assertThat(sum / n).isCloseTo(0, within(0.05));
    assertThat(Math.sqrt(squares / n)).isCloseTo(2, within(0.05));
  }

  @Test
  void labelFlipAsksTheTrainerAndSendsWhatItTrained() {
    LabelFlip attack = new LabelFlip();
    assertThat(attack.trainConfig(Config.of("lr", 0.1))).isEqualTo(Config.of("lr", 0.1, "label_flip", true));
    assertThat(attack.poison(GLOBAL, TRAINED, 0)).isSameAs(TRAINED);
  }

  @Test
  void onlyLabelFlipChangesTheConfig() {
    Config sent = Config.of("lr", 0.1);
    assertThat(new SignFlip().trainConfig(sent)).isSameAs(sent);
    assertThat(new ScaledUpdate(2).trainConfig(sent)).isSameAs(sent);
    assertThat(new GaussianNoise(1).trainConfig(sent)).isSameAs(sent);
  }

  @Test
  void trainedTensorsMustFitTheReceivedModel() {
    ModelWeights other = ModelWeights.of(Tensor.of("w", new int[] {3}, new float[3]));
    assertThatThrownBy(() -> new SignFlip().poison(GLOBAL, other, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("w[3]").hasMessageContaining("w[2]");
    ModelWeights unknown = ModelWeights.of(Tensor.of("z", new int[] {1}, new float[1]));
    assertThatThrownBy(() -> new ScaledUpdate(2).poison(GLOBAL, unknown, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'z'");
  }

  @Test
  void parametersAreValidated() {
    assertThatThrownBy(() -> new GaussianNoise(0)).hasMessageContaining("positive").hasMessageContaining("0.0");
    assertThatThrownBy(() -> new GaussianNoise(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ScaledUpdate(Double.POSITIVE_INFINITY)).hasMessageContaining("finite");
  }

  @Test
  void specsReadBack() {
    for (Attack a : new Attack[] {new SignFlip(), new ScaledUpdate(-2.5), new GaussianNoise(0.1), new LabelFlip()}) {
      assertThat(Attack.parse(a.spec())).isEqualTo(a);
    }
  }
}
