package dev.flotilla.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.djl.data.FashionMnist;
import dev.flotilla.djl.data.LabelledImages;
import dev.flotilla.djl.model.Models;
import org.junit.jupiter.api.Test;

class DjlEvaluatorTest {
  @Test
  void resultsDoNotDependOnTheBatchSize() {
    LabelledImages test = FashionMnist.test().first(700);
    ModelWeights weights = Models.initialWeights("cnn", 9);
    try (DjlEvaluator whole = new DjlEvaluator("cnn", test, 700);
        DjlEvaluator batched = new DjlEvaluator("cnn", test, 64)) {
      EvaluateResult a = whole.evaluate(weights);
      EvaluateResult b = batched.evaluate(weights);
      assertThat(a.numExamples()).isEqualTo(700);
      assertThat(b.accuracy()).isEqualTo(a.accuracy());
      assertThat(b.loss()).isCloseTo(a.loss(), within(1e-5));
      assertThat(a.loss()).isCloseTo(Math.log(10), within(0.2));
    }
  }
}
