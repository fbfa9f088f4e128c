package dev.flotilla.core.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SizeSkewPartitionerTest {
  @Test
  void sizesFollowThePowerLaw() {
    int[] sizes = new SizeSkewPartitioner(1.5).sizesByRank(60_000, 10);
    assertThat(Arrays.stream(sizes).sum()).isEqualTo(60_000);
    assertThat(sizes).isSortedAccordingTo((a, b) -> b - a);
    double harmonic = 0;
    for (int r = 1; r <= 10; r++) {
      harmonic += Math.pow(r, -1.5);
    }
    assertThat(sizes[0]).isCloseTo((int) (59_990 / harmonic) + 1, within(1));
    assertThat((double) sizes[0] / sizes[9]).isCloseTo(Math.pow(10, 1.5), offset(0.1));
  }

  @Test
  void exponentZeroGivesEqualSizes() {
    assertThat(new SizeSkewPartitioner(0).sizesByRank(23, 5)).containsExactly(5, 5, 5, 4, 4);
  }

  @Test
  void everyClientGetsAnExampleEvenUnderSteepSkew() {
    int[] sizes = new SizeSkewPartitioner(8).sizesByRank(100, 20);
    assertThat(Arrays.stream(sizes).min().getAsInt()).isGreaterThanOrEqualTo(1);
    assertThat(Arrays.stream(sizes).sum()).isEqualTo(100);
  }

  @Test
  void dealsSizesToClientsInRandomOrderWithIidLabels() {
    int[] labels = Labels.fashionMnistLike();
    PartitionStats stats = PartitionStats.of(labels, new SizeSkewPartitioner(1.0).partition(labels, 10, 4));
    int largest = 0;
    for (int c = 1; c < 10; c++) {
      largest = stats.size(c) > stats.size(largest) ? c : largest;
    }
    int[] sizes = new int[10];
    Arrays.setAll(sizes, stats::size);
    assertThat(sizes).as("client sizes").isNotEqualTo(new SizeSkewPartitioner(1.0).sizesByRank(60_000, 10));
    assertThat(stats.maxClassShare(largest)).isLessThan(0.12);
  }

  @Test
  void rejectsANegativeExponent() {
    assertThatThrownBy(() -> new SizeSkewPartitioner(-0.5)).hasMessageContaining("-0.5");
  }
}
