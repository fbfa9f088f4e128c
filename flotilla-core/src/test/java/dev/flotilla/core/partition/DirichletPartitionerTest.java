package dev.flotilla.core.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DirichletPartitionerTest {
  private static final int[] LABELS = Labels.fashionMnistLike();

  private static double meanMaxClassShare(Partitioner partitioner, long seed) {
    return PartitionStats.of(LABELS, partitioner.partition(LABELS, 10, seed)).meanMaxClassShare();
  }

  @Test
  void smallAlphaLetsFewClassesDominateEachClient() {
    double iid = meanMaxClassShare(new IidPartitioner(), 1);
    for (long seed = 1; seed <= 5; seed++) {
      assertThat(meanMaxClassShare(new DirichletPartitioner(0.1), seed)).as("seed %d", seed).isGreaterThan(0.5);
    }
    assertThat(iid).isLessThan(0.12);
  }

  @Test
  void skewFallsAsAlphaGrows() {
    double skew01 = 0;
    double skew05 = 0;
    double skew100 = 0;
    for (long seed = 1; seed <= 5; seed++) {
      skew01 += meanMaxClassShare(new DirichletPartitioner(0.1), seed);
      skew05 += meanMaxClassShare(new DirichletPartitioner(0.5), seed);
      skew100 += meanMaxClassShare(new DirichletPartitioner(100), seed);
    }
    assertThat(skew01).isGreaterThan(skew05);
    assertThat(skew05).isGreaterThan(skew100);
    assertThat(skew100 / 5).isLessThan(0.15);
  }

  @Test
  void redrawsUntilEveryClientHasTheMinimumSize() {
    int[] labels = Labels.balanced(10, 30); // 300 examples, 30 per client on average
    int redrawn = 0;
    for (long seed = 0; seed < 20; seed++) {
      PartitionStats once = PartitionStats.of(labels, new DirichletPartitioner(0.5, 0).partition(labels, 10, seed));
      PartitionStats stats = PartitionStats.of(labels, new DirichletPartitioner(0.5, 15).partition(labels, 10, seed));
      for (int c = 0; c < 10; c++) {
        assertThat(stats.size(c)).as("seed %d client %d", seed, c).isGreaterThanOrEqualTo(15);
      }
      // both start from the same first draw, so a short client in it proves that the split was drawn again
      boolean firstDrawShort = false;
      for (int c = 0; c < 10; c++) {
        firstDrawShort |= once.size(c) < 15;
      }
      redrawn += firstDrawShort ? 1 : 0;
    }
    assertThat(redrawn).isGreaterThan(5);
  }

  @Test
  void keepsEachClassWhole() {
    PartitionStats stats = PartitionStats.of(LABELS, new DirichletPartitioner(0.5).partition(LABELS, 10, 3));
    int[] perClass = new int[10];
    for (int c = 0; c < 10; c++) {
      int[] histogram = stats.histogram(c);
      for (int k = 0; k < 10; k++) {
        perClass[k] += histogram[k];
      }
    }
    assertThat(perClass).containsOnly(6_000);
  }

  @Test
  void refusesAMinimumSizeTheDataCannotMeet() {
    assertThatThrownBy(() -> new DirichletPartitioner(0.5, 30).partition(Labels.balanced(2, 100), 10, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("30 examples").hasMessageContaining("200");
  }

  @Test
  void givesUpWithAClearErrorWhenTheMinimumIsPracticallyUnreachable() {
    // each of two clients needs 49 of 100 examples, but Dirichlet(0.001) nearly always gives one client them all
    assertThatThrownBy(() -> new DirichletPartitioner(0.001, 49).partition(Labels.balanced(1, 100), 2, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Dirichlet(0.001)")
        .hasMessageContaining("attempts");
  }

  @Test
  void rejectsBadOptionsNamingThem() {
    assertThatThrownBy(() -> new DirichletPartitioner(0)).hasMessageContaining("got 0.0");
    assertThatThrownBy(() -> new DirichletPartitioner(Double.NaN)).hasMessageContaining("NaN");
    assertThatThrownBy(() -> new DirichletPartitioner(1, -1)).hasMessageContaining("-1");
  }
}
