package dev.flotilla.core.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class IidPartitionerTest {
  @Test
  void w1SplitsSixtyThousandIntoTenTimesSixThousand() {
    int[] labels = Labels.fashionMnistLike();
    PartitionStats stats = PartitionStats.of(labels, new IidPartitioner().partition(labels, 10, 1));

    for (int c = 0; c < 10; c++) {
      assertThat(stats.size(c)).isEqualTo(6_000);
      // each class is 10% of the data; 6,000 draws keep every class share within a few points of that
      for (int count : stats.histogram(c)) {
        assertThat(count).isBetween(480, 720);
      }
    }
    assertThat(stats.meanMaxClassShare()).isLessThan(0.12);
  }

  @Test
  void spreadsTheRemainderOverTheFirstClients() {
    List<int[]> parts = new IidPartitioner().partition(new int[23], 5, 3);
    assertThat(parts).extracting(p -> p.length).containsExactly(5, 5, 5, 4, 4);
  }

  @Test
  void isARandomPermutationNotConsecutiveBlocks() {
    int[] first = new IidPartitioner().partition(new int[1_000], 4, 9).get(0);
    assertThat(first[first.length - 1] - first[0]).isGreaterThan(first.length);
  }
}
