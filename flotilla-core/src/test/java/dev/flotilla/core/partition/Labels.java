package dev.flotilla.core.partition;

/** Synthetic label arrays for the partitioner tests. */
final class Labels {
  private Labels() {}

  /** {@code perClass} examples of each of {@code numClasses} classes, interleaved: 0, 1, …, K-1, 0, 1, … */
  static int[] balanced(int numClasses, int perClass) {
    int[] labels = new int[numClasses * perClass];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i % numClasses;
    }
    return labels;
  }

  /** Fashion-MNIST's shape: 60,000 examples, 10 balanced classes. */
  static int[] fashionMnistLike() {
    return balanced(10, 6_000);
  }
}
