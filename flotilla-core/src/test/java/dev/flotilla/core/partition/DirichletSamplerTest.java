package dev.flotilla.core.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DirichletSamplerTest {
  @ParameterizedTest
  @ValueSource(doubles = {0.1, 0.5, 1.0, 2.5, 10.0})
  void gammaHasMeanAndVarianceEqualToItsShape(double shape) {
    Random random = new Random(1);
    int n = 200_000;
    double sum = 0;
    double sumSquares = 0;
    for (int i = 0; i < n; i++) {
      double x = DirichletSampler.gamma(random, shape);
      assertThat(x).isGreaterThanOrEqualTo(0);
      sum += x;
      sumSquares += x * x;
    }
    double mean = sum / n;
    double variance = sumSquares / n - mean * mean;
    assertThat(mean).isCloseTo(shape, offset(0.02 * Math.max(1, shape)));
    assertThat(variance).isCloseTo(shape, offset(0.05 * Math.max(1, shape)));
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.001, 0.1, 0.5, 100})
  void dirichletDrawsAreProportions(double alpha) {
    Random random = new Random(2);
    for (int i = 0; i < 1_000; i++) {
      double[] p = DirichletSampler.dirichlet(random, alpha, 10);
      double sum = 0;
      for (double x : p) {
        assertThat(x).isBetween(0.0, 1.0);
        sum += x;
      }
      assertThat(sum).isCloseTo(1.0, offset(1e-12));
    }
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.1, 1.0})
  void dirichletComponentsHaveTheBetaMoments(double alpha) {
    // each component of Dirichlet(alpha · 1_k) is Beta(alpha, (k-1) alpha): mean 1/k, E[p²] = (alpha+1)/(k(k alpha+1))
    Random random = new Random(3);
    int k = 5;
    int n = 100_000;
    double sum = 0;
    double sumSquares = 0;
    for (int i = 0; i < n; i++) {
      double p = DirichletSampler.dirichlet(random, alpha, k)[i % k];
      sum += p;
      sumSquares += p * p;
    }
    assertThat(sum / n).isCloseTo(1.0 / k, offset(0.005));
    assertThat(sumSquares / n).isCloseTo((alpha + 1) / (k * (k * alpha + 1)), offset(0.005));
  }

  @ParameterizedTest
  @ValueSource(doubles = {0, -1, Double.NaN, Double.POSITIVE_INFINITY})
  void rejectsBadShapes(double shape) {
    assertThatThrownBy(() -> DirichletSampler.gamma(new Random(), shape))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(String.valueOf(shape));
  }
}
