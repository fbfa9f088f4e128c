package dev.flotilla.store;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a run was started with, as far as a resume must match it.
 *
 * @param description the strategy and its options, as the command line describes them (a resume with another
 *                    strategy is refused)
 * @param model       the model's name
 * @param rounds      the rounds the run was started for
 * @param seed        the seed of the run
 * @param kind        what ran: {@value #SERVER} or {@value #SIMULATION} (a resume of the other kind is refused)
 * @param settings    the further settings a resume must match, as {@code key=value} pairs separated by {@code "; "}
 *                    (a simulation's clients, partition, training options, data), empty for none
 */
public record RunSpec(String description, String model, int rounds, long seed, String kind, String settings) {
  /** The kind of a run of {@code flotilla server} (and of every run stored before runs had a kind). */
  public static final String SERVER = "server";
  /** The kind of a run of {@code flotilla simulate}. */
  public static final String SIMULATION = "simulation";

  public RunSpec {
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(model, "model");
    if (rounds < 0) {
      throw new IllegalArgumentException("rounds must be >= 0, got " + rounds);
    }
    if (!SERVER.equals(kind) && !SIMULATION.equals(kind)) {
      throw new IllegalArgumentException("run kind must be " + SERVER + " or " + SIMULATION + ", got '" + kind + "'");
    }
    Objects.requireNonNull(settings, "settings");
  }

  /** A server run's spec, with no further settings. */
  public RunSpec(String description, String model, int rounds, long seed) {
    this(description, model, rounds, seed, SERVER, "");
  }

  /**
   * Why a run started with this spec cannot be resumed with {@code other}: the first setting that differs, as
   * "{@code strategy 'fedavg', not 'fedprox'}" or "{@code clients 20, not 30}", or empty when they match.
   */
  public Optional<String> mismatch(RunSpec other) {
    if (!kind.equals(other.kind)) {
      return Optional.of("flotilla " + (kind.equals(SERVER) ? "server" : "simulate") + ", not flotilla "
          + (other.kind.equals(SERVER) ? "server" : "simulate"));
    }
    if (!description.equals(other.description)) {
      return Optional.of("strategy '" + description + "', not '" + other.description + "'");
    }
    if (!model.equals(other.model)) {
      return Optional.of("model " + model + ", not " + other.model);
    }
    if (seed != other.seed) {
      return Optional.of("seed " + seed + ", not " + other.seed);
    }
    if (rounds != other.rounds) {
      return Optional.of(rounds + " rounds, not " + other.rounds);
    }
    Map<String, String> was = pairs(settings);
    Map<String, String> now = pairs(other.settings);
    for (String key : union(was.keySet(), now.keySet())) {
      String a = was.getOrDefault(key, "(none)");
      String b = now.getOrDefault(key, "(none)");
      if (!a.equals(b)) {
        return Optional.of(key + " " + a + ", not " + b);
      }
    }
    return Optional.empty();
  }

  private static Map<String, String> pairs(String settings) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : settings.split("; ")) {
      if (!pair.isEmpty()) {
        int eq = pair.indexOf('=');
        out.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
      }
    }
    return out;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> out = new LinkedHashSet<>(a);
    out.addAll(b);
    return out;
  }
}
