package dev.flotilla.core.partition;

import java.util.List;

/**
 * Splits a labelled dataset among simulated clients. Implementations are pure functions of their arguments: the
 * same labels, client count and seed always give the same split, on any JVM.
 *
 * <p>Every implementation returns exactly {@code numClients} index lists that are disjoint, together cover every
 * index of {@code labels} once, and are each sorted in ascending order (clients reshuffle their data every epoch,
 * so the order within a list carries no meaning).
 */
public interface Partitioner {
  /**
   * Splits the example indices {@code 0 .. labels.length - 1} among {@code numClients} clients.
   *
   * @param labels     class of each example, each in {@code [0, numClasses)}; not modified
   * @param numClients number of clients, at least 1 and at most {@code labels.length}
   * @param seed       seed of every random choice the split makes
   * @return one ascending index list per client, client {@code c} at position {@code c}
   * @throws IllegalArgumentException if a label is negative or there are fewer examples than clients
   */
  List<int[]> partition(int[] labels, int numClients, long seed);

  /**
   * The scheme as {@link Partitioners#parse} accepts it, such as {@code "dirichlet:0.5"}, so that a run can record
   * what produced its split.
   */
  String spec();
}
