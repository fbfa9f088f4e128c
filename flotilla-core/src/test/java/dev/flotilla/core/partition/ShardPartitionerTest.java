package dev.flotilla.core.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ShardPartitionerTest {
  @Test
  void labelPureShardsGiveEachClientAtMostKLabels() {
    int[] labels = Labels.fashionMnistLike(); // 20 shards of 3,000: each inside one class
    for (int k : new int[] {1, 2}) {
      PartitionStats stats = PartitionStats.of(labels, new ShardPartitioner(k).partition(labels, 10, 5));
      for (int c = 0; c < 10; c++) {
        assertThat(stats.size(c)).isEqualTo(6_000);
        assertThat(stats.distinctLabels(c)).as("k=%d client %d", k, c).isBetween(1, k);
      }
    }
  }

  @Test
  void fedAvgPaperSetupGivesHundredClientsTwoShardsOfThreeHundred() {
    int[] labels = Labels.fashionMnistLike();
    PartitionStats stats = PartitionStats.of(labels, new ShardPartitioner(2).partition(labels, 100, 11));
    for (int c = 0; c < 100; c++) {
      assertThat(stats.size(c)).isEqualTo(600);
      assertThat(stats.distinctLabels(c)).isBetween(1, 2);
    }
    assertThat(stats.meanMaxClassShare()).isGreaterThan(0.5);
  }

  @Test
  void unevenCountsGiveShardsThatDifferByAtMostOne() {
    PartitionStats stats = PartitionStats.of(new int[103], new ShardPartitioner(3).partition(new int[103], 5, 2));
    for (int c = 0; c < 5; c++) {
      assertThat(stats.size(c)).isBetween(18, 23); // three shards of 6 or 7
    }
  }

  @Test
  void rejectsMoreShardsThanExamples() {
    assertThatThrownBy(() -> new ShardPartitioner(4).partition(new int[10], 3, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("12");
    assertThatThrownBy(() -> new ShardPartitioner(0)).hasMessageContaining("got 0");
  }
}
