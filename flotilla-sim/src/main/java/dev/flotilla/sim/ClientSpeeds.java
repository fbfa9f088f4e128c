package dev.flotilla.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * How much slower than nominal each virtual client computes: a factor per client, 1 for a nominal site, 10 for one
 * that takes ten times as long. Drawn once from a seed over the clients sorted by id, so the same run gets the same
 * sites whatever order the clients are listed in.
 *
 * <ul>
 *   <li>{@code uniform}: every client 1;</li>
 *   <li>{@code lognormal:SIGMA}: {@code exp(SIGMA · N(0, 1))} each, median 1 (sites differing tenfold are about
 *   {@code SIGMA = 1});</li>
 *   <li>{@code stragglers:FRACTION:SLOWDOWN}: exactly {@code round(FRACTION × clients)} clients, chosen at random,
 *   have factor {@code SLOWDOWN}, the others 1.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class ClientSpeeds {
  private final String spec;
  private final Map<String, Double> slowdown;

  private ClientSpeeds(String spec, Map<String, Double> slowdown) {
    this.spec = spec;
    this.slowdown = Map.copyOf(slowdown);
  }

  /**
   * Draws the factors of {@code clientIds} as {@code spec} says.
   *
   * @throws IllegalArgumentException naming the spec if it is none of the forms above or a number is out of range
   */
  public static ClientSpeeds parse(String spec, List<String> clientIds, long seed) {
    String[] parts = spec.trim().toLowerCase(Locale.ROOT).split(":", -1);
    List<String> ids = new ArrayList<>(clientIds);
    Collections.sort(ids);
    Random random = new Random(seed ^ 0x5EEDC10CL);
    Map<String, Double> out = new HashMap<>();
    try {
      if (parts[0].equals("uniform") && parts.length == 1) {
        ids.forEach(id -> out.put(id, 1.0));
        return new ClientSpeeds("uniform", out);
      }
      if (parts[0].equals("lognormal") && parts.length == 2) {
        double sigma = Double.parseDouble(parts[1]);
        if (!(sigma >= 0) || Double.isInfinite(sigma)) {
          throw new IllegalArgumentException("client speed '" + spec + "': SIGMA must be finite and >= 0");
        }
        ids.forEach(id -> out.put(id, Math.exp(sigma * random.nextGaussian())));
        return new ClientSpeeds("lognormal:" + sigma, out);
      }
      if (parts[0].equals("stragglers") && parts.length == 3) {
        double fraction = Double.parseDouble(parts[1]);
        double factor = Double.parseDouble(parts[2]);
        if (!(fraction >= 0 && fraction <= 1) || !(factor >= 1) || Double.isInfinite(factor)) {
          throw new IllegalArgumentException("client speed '" + spec
              + "': FRACTION must be in [0, 1] and SLOWDOWN finite and >= 1");
        }
        List<String> shuffled = new ArrayList<>(ids);
        Collections.shuffle(shuffled, random);
        int slow = (int) Math.round(fraction * ids.size());
        for (int i = 0; i < shuffled.size(); i++) {
          out.put(shuffled.get(i), i < slow ? factor : 1.0);
        }
        return new ClientSpeeds("stragglers:" + fraction + ":" + factor, out);
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad client speed '" + spec + "': " + e.getMessage());
    }
    throw new IllegalArgumentException("unknown client speed '" + spec
        + "'; expected uniform, lognormal:SIGMA or stragglers:FRACTION:SLOWDOWN");
  }

  /** The spec the factors were drawn from, normalised. */
  public String spec() {
    return spec;
  }

  /** The factor of {@code clientId}; 1 for a client not drawn. */
  public double slowdown(String clientId) {
    return slowdown.getOrDefault(clientId, 1.0);
  }

  /** Number of clients whose factor is above 1. */
  public long slowClients() {
    return slowdown.values().stream().filter(f -> f > 1).count();
  }
}
