package dev.flotilla.core.aggregate;

import static dev.flotilla.core.testing.TrainRounds.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class KrumScoresTest {
  // points (0, 0), (3, 4), (6, 8), (0, 1)
  private static final double[][] D = KrumScores.distances(List.of(
      vector(0, 0), vector(3, 4), vector(6, 8), vector(0, 1)));

  @Test
  void squaredDistances() {
    // |(3, 4)|² = 25, |(6, 8)|² = 100, |(0, 1)|² = 1, |(3, 3)|² = 18, |(6, 7)|² = 85
    assertThat(D[0]).containsExactly(0, 25, 100, 1);
    assertThat(D[1]).containsExactly(25, 0, 25, 18);
    assertThat(D[2]).containsExactly(100, 25, 0, 85);
    assertThat(D[3]).containsExactly(1, 18, 85, 0);
  }

  @Test
  void scoreSumsTheNearestNeighbours() {
    // n = 4, f = 0: n − f − 2 = 2 neighbours
    // 0: {25, 100, 1} → 1 + 25 = 26; 1: {25, 25, 18} → 18 + 25 = 43; 2: {100, 25, 85} → 25 + 85 = 110;
    // 3: {1, 18, 85} → 1 + 18 = 19
    int[] all = KrumScores.all(4);
    double[] scores = KrumScores.scores(D, all, 0);
    assertThat(scores).containsExactly(26, 43, 110, 19);
    assertThat(KrumScores.ranking(scores, all)).containsExactly(3, 0, 1, 2);
  }

  @Test
  void scoresWithinASubsetOnlyCountItsMembers() {
    // among {0, 1, 2}, f = 0: max(1, 3 − 0 − 2) = 1 neighbour: 0 → 25, 1 → 25, 2 → 25; tie → order given
    int[] among = {2, 1, 0};
    double[] scores = KrumScores.scores(D, among, 0);
    assertThat(scores).containsExactly(25, 25, 25);
    assertThat(KrumScores.ranking(scores, among)).containsExactly(2, 1, 0);
  }

  @Test
  void neighbourCount() {
    assertThat(KrumScores.neighbours(7, 1)).isEqualTo(4); // 7 − 1 − 2
    assertThat(KrumScores.neighbours(3, 5)).isEqualTo(1); // at least 1
    assertThat(KrumScores.neighbours(1, 0)).isZero(); // a lone model has no neighbour
  }

  @Test
  void rejectsMismatchedShapes() {
    assertThatThrownBy(() -> KrumScores.distances(List.of(vector(0, 0), vector(1))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x[1]");
  }
}
