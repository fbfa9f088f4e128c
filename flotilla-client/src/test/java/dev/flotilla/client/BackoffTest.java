package dev.flotilla.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void doublesWithJitterUpToTheMaximumAndResets() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000), new Random(1));
    long[] bases = {100, 200, 400, 800, 1000, 1000};
    for (long base : bases) {
      long ms = b.next().toMillis();
      assertThat(ms).isBetween(Math.round(base * 0.8), Math.min(1000, Math.round(base * 1.2)));
    }
    b.reset();
    assertThat(b.next().toMillis()).isBetween(80L, 120L);
  }

  @Test
  void manyFailuresDoNotOverflow() {
    Backoff b = new Backoff(Duration.ofMillis(1), Duration.ofSeconds(30), new Random(2));
    for (int i = 0; i < 200; i++) {
      assertThat(b.next()).isLessThanOrEqualTo(Duration.ofSeconds(30)).isPositive();
    }
  }
}
