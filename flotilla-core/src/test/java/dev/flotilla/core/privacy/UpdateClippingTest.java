package dev.flotilla.core.privacy;

import static dev.flotilla.core.testing.TrainRounds.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.testing.TestModels;
import org.junit.jupiter.api.Test;

class UpdateClippingTest {
  @Test
  void normIsOfTheUpdate() {
    assertThat(UpdateClipping.norm(vector(4, 5, 1), vector(1, 1, 1))).isEqualTo(5.0);
  }

  @Test
  void clippingBoundsTheNormAndKeepsTheDirection() {
    ModelWeights global = vector(1, 1, 1);
    ModelWeights clipped = UpdateClipping.clip(vector(4, 5, 1), global, 1.0);
    assertThat(UpdateClipping.norm(clipped, global)).isLessThanOrEqualTo(1.0).isCloseTo(1.0, within(1e-6));
    assertThat(clipped.get(0).get(0) - 1).isCloseTo(0.6f, within(1e-6f));
    assertThat(clipped.get(0).get(1) - 1).isCloseTo(0.8f, within(1e-6f));
  }

  @Test
  void shortUpdatesAreReturnedAsTheyAre() {
    ModelWeights model = vector(1.1f, 1, 1);
    assertThat(UpdateClipping.clip(model, vector(1, 1, 1), 1.0)).isSameAs(model);
  }

  /** Over many random models, the float32 result never exceeds the clip as the server recomputes it. */
  @Test
  void clippedNormNeverExceedsTheClipAfterFloatRounding() {
    ModelWeights global = TestModels.random(TestModels.small().specs(), 1);
    for (long seed = 2; seed < 200; seed++) {
      ModelWeights model = TestModels.random(global.specs(), seed);
      double clip = 0.01 + (seed % 17) * 0.03;
      assertThat(UpdateClipping.norm(UpdateClipping.clip(model, global, clip), global)).isLessThanOrEqualTo(clip);
    }
  }
}
