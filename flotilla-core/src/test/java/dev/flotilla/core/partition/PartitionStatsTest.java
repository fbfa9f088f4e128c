package dev.flotilla.core.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PartitionStatsTest {
  private static final int[] LABELS = {0, 0, 1, 2, 2, 2, 1, 0};
  private static final List<int[]> CLIENTS = List.of(new int[] {0, 1, 2}, new int[] {3, 4, 5, 6, 7}, new int[0]);

  @Test
  void countsSizesAndLabelsPerClient() {
    PartitionStats stats = PartitionStats.of(LABELS, CLIENTS);

    assertThat(stats.numClients()).isEqualTo(3);
    assertThat(stats.numClasses()).isEqualTo(3);
    assertThat(stats.size(0)).isEqualTo(3);
    assertThat(stats.histogram(0)).containsExactly(2, 1, 0);
    assertThat(stats.histogram(1)).containsExactly(1, 1, 3);
    assertThat(stats.distinctLabels(0)).isEqualTo(2);
    assertThat(stats.maxClassShare(0)).isEqualTo(2.0 / 3);
    assertThat(stats.maxClassShare(1)).isEqualTo(3.0 / 5);
    assertThat(stats.maxClassShare(2)).isZero();
    assertThat(stats.meanMaxClassShare()).isEqualTo((2.0 / 3 + 3.0 / 5) / 3);
  }

  @Test
  void printsATableWithTotals() {
    assertThat(PartitionStats.of(LABELS, CLIENTS).toTable()).isEqualTo(""
        + "client   size      0      1      2  classes  top share\n"
        + "     0      3      2      1      0        2      0.667\n"
        + "     1      5      1      1      3        3      0.600\n"
        + "     2      0      0      0      0        0      0.000\n"
        + " total      8      3      2      3     mean      0.422\n");
  }

  @Test
  void rejectsAnIndexOutsideTheLabels() {
    assertThatThrownBy(() -> PartitionStats.of(LABELS, List.of(new int[] {8})))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 8");
  }
}
