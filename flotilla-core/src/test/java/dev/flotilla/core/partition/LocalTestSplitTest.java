package dev.flotilla.core.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LocalTestSplitTest {
  @Test
  void eachClientIsTestedOnTheClassesItTrainsOnInProportion() {
    // training: client 0 holds 3 of class 0 and 1 of class 1; client 1 holds 1 of class 1 and 2 of class 2
    int[] trainLabels = {0, 0, 0, 1, 1, 2, 2};
    List<int[]> trainParts = List.of(new int[] {0, 1, 2, 3}, new int[] {4, 5, 6});
    // test: 4 of class 0, 4 of class 1, 2 of class 2, 3 of class 3 (no client trains on class 3)
    int[] testLabels = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 3};

    List<int[]> test = LocalTestSplit.split(trainLabels, trainParts, testLabels, 9);

    // class 0 all to client 0; class 1 split 1:1 -> 2 and 2; class 2 all to client 1; class 3 to nobody
    assertThat(labelsOf(test.get(0), testLabels)).containsExactlyInAnyOrder(0, 0, 0, 0, 1, 1);
    assertThat(labelsOf(test.get(1), testLabels)).containsExactlyInAnyOrder(1, 1, 2, 2);
    assertThat(IntStream.concat(Arrays.stream(test.get(0)), Arrays.stream(test.get(1))).distinct().count())
        .isEqualTo(10);
  }

  @Test
  void largestRemaindersDealEveryExample() {
    assertThat(LocalTestSplit.shares(10, new long[] {1, 1, 1})).containsExactly(4, 3, 3);
    assertThat(LocalTestSplit.shares(5, new long[] {0, 3, 1})).containsExactly(0, 4, 1);
    assertThat(LocalTestSplit.shares(5, new long[] {0, 0})).containsExactly(0, 0);
  }

  @Test
  void theSameSeedGivesTheSameSplitAndAnotherSeedAnother() {
    int[] trainLabels = IntStream.range(0, 200).map(i -> i % 5).toArray();
    List<int[]> parts = new IidPartitioner().partition(trainLabels, 4, 1);
    int[] testLabels = IntStream.range(0, 100).map(i -> i % 5).toArray();
    List<int[]> a = LocalTestSplit.split(trainLabels, parts, testLabels, 3);
    List<int[]> b = LocalTestSplit.split(trainLabels, parts, testLabels, 3);
    List<int[]> c = LocalTestSplit.split(trainLabels, parts, testLabels, 4);
    for (int k = 0; k < 4; k++) {
      assertThat(a.get(k)).containsExactly(b.get(k));
    }
    assertThat(IntStream.range(0, 4).allMatch(k -> Arrays.equals(a.get(k), c.get(k)))).isFalse();
  }

  @Test
  void anIndexOutsideTheTrainingSetIsNamed() {
    assertThatThrownBy(() -> LocalTestSplit.split(new int[] {0, 1}, List.of(new int[] {5}), new int[] {0}, 1))
        .hasMessageContaining("training index 5");
  }

  private static int[] labelsOf(int[] indices, int[] labels) {
    return Arrays.stream(indices).map(i -> labels[i]).toArray();
  }
}
