package dev.flotilla.core.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class DiscreteGaussianTest {
  private static final int SAMPLES = 200_000;

  /**
   * The sample variance of 200,000 draws has a relative standard error of sqrt(2/200,000) = 0.32%; the tolerance of
   * 1.5% is about 5 standard errors, so a scale off by 2% or more (or σ taken for the variance) fails.
   */
  @Test
  void varianceIsSigmaSquaredAndMeanZero() {
    for (double sigma : new double[] {2.5, 1000, 3.7e6}) {
      RandomBits bits = RandomBits.seeded(7);
      double sum = 0;
      double squares = 0;
      for (int i = 0; i < SAMPLES; i++) {
        double x = DiscreteGaussian.sample(sigma, bits);
        sum += x;
        squares += x * x;
      }
      double mean = sum / SAMPLES;
      double variance = squares / SAMPLES - mean * mean;
      assertThat(variance / (sigma * sigma)).as("variance / sigma^2 at sigma " + sigma).isCloseTo(1, within(0.015));
      assertThat(mean / sigma).as("mean / sigma").isCloseTo(0, within(5 / Math.sqrt(SAMPLES)));
    }
  }

  /** Frequencies at σ = 1.5 against the exact mass {@code e^(−x²/2σ²) / Σ e^(−k²/2σ²)}, each within 5 standard errors. */
  @Test
  void massMatchesTheDiscreteGaussian() {
    double sigma = 1.5;
    int[] counts = new int[41];
    RandomBits bits = RandomBits.seeded(11);
    for (int i = 0; i < SAMPLES; i++) {
      long x = DiscreteGaussian.sample(sigma, bits);
      counts[(int) Math.max(-20, Math.min(20, x)) + 20]++;
    }
    double norm = 0;
    for (int k = -60; k <= 60; k++) {
      norm += Math.exp(-k * k / (2 * sigma * sigma));
    }
    for (int x = -6; x <= 6; x++) {
      double p = Math.exp(-x * x / (2 * sigma * sigma)) / norm;
      double observed = counts[x + 20] / (double) SAMPLES;
      assertThat(observed).as("P(%d)", x).isCloseTo(p, within(5 * Math.sqrt(p * (1 - p) / SAMPLES)));
    }
  }

  @Test
  void zeroSigmaIsNoNoiseAndBadSigmaIsRefused() {
    assertThat(DiscreteGaussian.sample(0, RandomBits.seeded(1))).isZero();
    assertThatThrownBy(() -> DiscreteGaussian.sample(-1, RandomBits.seeded(1))).hasMessageContaining("sigma");
  }

  @Test
  void secureBitsWork() {
    RandomBits bits = RandomBits.secure();
    long a = bits.nextLong();
    long b = bits.nextLong();
    assertThat(a).isNotEqualTo(b);
    for (int i = 0; i < 1000; i++) {
      assertThat(bits.nextLong(7)).isBetween(0L, 6L);
      assertThat(bits.nextDouble()).isGreaterThanOrEqualTo(0).isLessThan(1);
    }
  }
}
