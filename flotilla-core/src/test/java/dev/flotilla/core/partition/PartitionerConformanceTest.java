package dev.flotilla.core.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The contract of {@link Partitioner}, checked against every implementation. */
class PartitionerConformanceTest {
  static Stream<Partitioner> partitioners() {
    return Stream.of(new IidPartitioner(), new DirichletPartitioner(0.5), new DirichletPartitioner(0.1, 5),
        new ShardPartitioner(2), new SizeSkewPartitioner(1.5));
  }

  @ParameterizedTest
  @MethodSource("partitioners")
  void givesEveryIndexToExactlyOneClientInAscendingOrder(Partitioner partitioner) {
    int[] labels = Labels.fashionMnistLike();
    List<int[]> parts = partitioner.partition(labels, 10, 42);

    assertThat(parts).hasSize(10);
    int[] owner = new int[labels.length];
    Arrays.fill(owner, -1);
    for (int c = 0; c < parts.size(); c++) {
      int[] part = parts.get(c);
      assertThat(part).as("client %d", c).isNotEmpty().isSorted();
      for (int index : part) {
        assertThat(owner[index]).as("owner of index %d", index).isEqualTo(-1);
        owner[index] = c;
      }
    }
    assertThat(owner).doesNotContain(-1);
  }

  @ParameterizedTest
  @MethodSource("partitioners")
  void sameSeedSameSplitOtherSeedOtherSplit(Partitioner partitioner) {
    int[] labels = Labels.balanced(10, 500);
    List<int[]> first = partitioner.partition(labels, 8, 7);
    List<int[]> again = partitioner.partition(labels, 8, 7);
    List<int[]> other = partitioner.partition(labels, 8, 8);

    for (int c = 0; c < 8; c++) {
      assertThat(again.get(c)).isEqualTo(first.get(c));
    }
    boolean differs = false;
    for (int c = 0; c < 8; c++) {
      differs |= !Arrays.equals(first.get(c), other.get(c));
    }
    assertThat(differs).as("seed 8 gives a different split from seed 7").isTrue();
  }

  @ParameterizedTest
  @MethodSource("partitioners")
  void doesNotModifyLabels(Partitioner partitioner) {
    int[] labels = Labels.balanced(4, 100);
    int[] copy = labels.clone();
    partitioner.partition(labels, 3, 1);
    assertThat(labels).isEqualTo(copy);
  }

  @ParameterizedTest
  @MethodSource("partitioners")
  void specParsesBackToAnEqualPartitioner(Partitioner partitioner) {
    Partitioner parsed = Partitioners.parse(partitioner.spec());
    assertThat(parsed.spec()).isEqualTo(partitioner.spec());
    assertThat(parsed.getClass()).isEqualTo(partitioner.getClass());
  }

  @ParameterizedTest
  @MethodSource("partitioners")
  void rejectsBadArgumentsNamingThem(Partitioner partitioner) {
    assertThatThrownBy(() -> partitioner.partition(new int[] {0, 1, 2}, 0, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
    assertThatThrownBy(() -> partitioner.partition(new int[] {0, 1}, 3, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 clients");
    assertThatThrownBy(() -> partitioner.partition(new int[] {0, -4, 1, 1, 0, 1}, 2, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-4");
  }
}
