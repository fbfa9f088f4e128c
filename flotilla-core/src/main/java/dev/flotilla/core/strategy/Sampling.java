package dev.flotilla.core.strategy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * How many of the available clients take part in a round: {@code max(minClients, ceil(fraction × available))},
 * capped at the number available, drawn uniformly without replacement.
 *
 * @param fraction   share of the available clients, in [0, 1]
 * @param minClients lower bound on the sample size
 */
public record Sampling(double fraction, int minClients) {
  public Sampling {
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new IllegalArgumentException("fraction must be in [0, 1], got " + fraction);
    }
    if (minClients < 0) {
      throw new IllegalArgumentException("minClients must be >= 0, got " + minClients);
    }
  }

  /** Everyone available. */
  public static Sampling all() {
    return new Sampling(1.0, 0);
  }

  /** The sample size for {@code available} clients. */
  public int size(int available) {
    int n = (int) Math.ceil(fraction * available - 1e-9);
    return Math.min(available, Math.max(minClients, n));
  }

  /**
   * Draws the sample. Deterministic for a given generator state and set of clients, whatever order they are
   * listed in.
   */
  public List<ClientInfo> sample(List<ClientInfo> available, Random random) {
    List<ClientInfo> sorted = new ArrayList<>(available);
    sorted.sort(Comparator.comparing(ClientInfo::id));
    Collections.shuffle(sorted, random);
    List<ClientInfo> chosen = new ArrayList<>(sorted.subList(0, size(sorted.size())));
    chosen.sort(Comparator.comparing(ClientInfo::id));
    return chosen;
  }
}
