package dev.flotilla.core.aggregate;

import static dev.flotilla.core.testing.TrainRounds.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.core.FlotillaException;
import org.junit.jupiter.api.Test;

class QFflAggregatorTest {
  @Test
  void weighsTheClientWithTheHigherLossMore() {
    // w = 1, q = 1, L = 1; client 1: w₁ = 0, F₁ = 1; client 2: w₂ = 2, F₂ = 4
    // Δ₁ = 1 × (1 − 0) = 1, Δ₂ = 1 × (1 − 2) = −1
    // Σ Fₖ^q Δₖ = 1 × 1 + 4 × (−1) = −3
    // h₁ = 1 × 1⁰ × 1² + 1 × 1 = 2, h₂ = 1 × 4⁰ × 1² + 1 × 4 = 5, Σ h = 7
    // new = 1 − (−3) / 7 = 1.4285714: nearer client 2 than the plain mean 1
    QFflAggregator step = new QFflAggregator(vector(1), 1, 1);
    step.fold(vector(0), 1);
    step.fold(vector(2), 4);
    assertThat(step.result().get(0).get(0)).isCloseTo(1.4285714f, within(1e-6f));
    assertThat(step.count()).isEqualTo(2);
    assertThat(step.meanLoss()).isEqualTo(2.5);
  }

  @Test
  void lipschitzConstantScalesTheStep() {
    // same clients, L = 2: Δ₁ = 2, Δ₂ = −2; Σ Fₖ Δₖ = 2 − 8 = −6
    // h₁ = 1 × 2² + 2 × 1 = 6, h₂ = 1 × 2² + 2 × 4 = 12, Σ h = 18; new = 1 + 6 / 18 = 1.3333333
    QFflAggregator step = new QFflAggregator(vector(1), 1, 2);
    step.fold(vector(0), 1);
    step.fold(vector(2), 4);
    assertThat(step.result().get(0).get(0)).isCloseTo(1.3333333f, within(1e-6f));
  }

  @Test
  void qZeroIsTheUnweightedMean() {
    // q = 0: Fₖ^0 = 1 and hₖ = L, so new = w − Σ L (w − wₖ) / (n L) = mean(wₖ) = (0 + 2 + 7) / 3 = 3
    QFflAggregator step = new QFflAggregator(vector(5), 0, 10);
    step.fold(vector(0), 0.1);
    step.fold(vector(2), 3);
    step.fold(vector(7), 0);
    assertThat(step.result().get(0).get(0)).isCloseTo(3f, within(1e-5f));
  }

  @Test
  void rejectsBadLossesShapesAndParameters() {
    QFflAggregator step = new QFflAggregator(vector(1, 2), 0.2, 10);
    assertThatThrownBy(() -> step.fold(vector(1, 2), -1)).hasMessageContaining("-1.0");
    assertThatThrownBy(() -> step.fold(vector(1, 2), Double.NaN)).hasMessageContaining("NaN");
    assertThatThrownBy(() -> step.fold(vector(1), 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x[1]");
    assertThatThrownBy(step::result).isInstanceOf(FlotillaException.class);
    assertThatThrownBy(() -> new QFflAggregator(vector(1), -0.1, 10)).hasMessageContaining("q");
    assertThatThrownBy(() -> new QFflAggregator(vector(1), 0.2, 0)).hasMessageContaining("Lipschitz");
  }
}
