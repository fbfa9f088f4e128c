package dev.flotilla.store;

import dev.flotilla.workflow.Staleness;
import java.math.BigDecimal;
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
 * @param rounds      the rounds the run was started for (model versions, for an asynchronous run)
 * @param seed        the seed of the run
 * @param workflow    {@link #SYNC} for a synchronous run, or {@code async} followed by the asynchronous settings a
 *                    resume must match, such as {@code async --buffer 10 --concurrency 20 --staleness constant}
 * @param kind        what ran: {@value #SERVER} or {@value #SIMULATION} (a resume of the other kind is refused)
 * @param settings    the further settings a resume must match, as {@code key=value} pairs separated by {@code "; "}
 *                    (a simulation's clients, partition, training options, data), empty for none
 */
public record RunSpec(String description, String model, int rounds, long seed, String workflow, String kind,
    String settings) {
  /** The workflow of a synchronous run, and of every run stored before runs recorded their workflow. */
  public static final String SYNC = "sync";
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
    Objects.requireNonNull(workflow, "workflow");
    if (workflow.isBlank()) {
      throw new IllegalArgumentException("workflow must not be blank");
    }
    if (!SERVER.equals(kind) && !SIMULATION.equals(kind)) {
      throw new IllegalArgumentException("run kind must be " + SERVER + " or " + SIMULATION + ", got '" + kind + "'");
    }
    Objects.requireNonNull(settings, "settings");
  }

  /** A synchronous server run's spec, with no further settings. */
  public RunSpec(String description, String model, int rounds, long seed) {
    this(description, model, rounds, seed, SYNC, SERVER, "");
  }

  /** A server run's spec with workflow {@code workflow} ({@link #SYNC} or {@code async ...}). */
  public RunSpec(String description, String model, int rounds, long seed, String workflow) {
    this(description, model, rounds, seed, workflow, SERVER, "");
  }

  /** A synchronous run's spec of kind {@code kind} with further {@code settings}. */
  public RunSpec(String description, String model, int rounds, long seed, String kind, String settings) {
    this(description, model, rounds, seed, SYNC, kind, settings);
  }

  /** Whether the run is synchronous. */
  public boolean isSync() {
    return SYNC.equals(workflow);
  }

  /**
   * Why a run started with this spec cannot be resumed with {@code other}: the first setting that differs (the
   * asynchronous options by value, so {@code --staleness polynomial:0.5} matches {@code polynomial:0.50}), as
   * "{@code strategy 'fedavg', not 'fedprox'}", "{@code --buffer 2, not --buffer 3}" or "{@code clients 20, not
   * 30}", or empty when they match.
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
    Optional<String> workflowDiffers = workflowDifference(workflow, other.workflow);
    if (workflowDiffers.isPresent()) {
      return workflowDiffers;
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

  /**
   * How workflow {@code now} differs from the stored {@code was}: a synchronous run resumed as an asynchronous one or
   * the other way round, or the first asynchronous option that differs.
   */
  private static Optional<String> workflowDifference(String was, String now) {
    if (was.equals(now)) {
      return Optional.empty();
    }
    if (was.equals(SYNC)) {
      return Optional.of("the synchronous workflow, not --workflow async");
    }
    if (now.equals(SYNC)) {
      return Optional.of("--workflow " + was + ", not the synchronous workflow");
    }
    String[] before = was.split(" (?=--)");
    String[] after = now.split(" (?=--)");
    for (int i = 0; i < Math.min(before.length, after.length); i++) {
      if (!sameOption(before[i], after[i])) {
        return Optional.of(before[i] + ", not " + after[i]);
      }
    }
    return before.length == after.length ? Optional.empty()
        : Optional.of("--workflow " + was + ", not " + now);
  }

  /**
   * Whether two asynchronous options, such as {@code --staleness polynomial:0.5}, are the same option with the same
   * value: numbers compared as numbers ({@code 10} and {@code 10.0}), staleness functions by their weights
   * ({@link Staleness#sameWeights}), anything else as text.
   */
  private static boolean sameOption(String was, String now) {
    if (was.equals(now)) {
      return true;
    }
    int a = was.indexOf(' ');
    int b = now.indexOf(' ');
    if (a < 0 || b < 0 || !was.substring(0, a).equals(now.substring(0, b))) {
      return false;
    }
    String before = was.substring(a + 1).strip();
    String after = now.substring(b + 1).strip();
    try {
      if (was.substring(0, a).equals("--staleness")) {
        return Staleness.parse(before).sameWeights(Staleness.parse(after));
      }
      return new BigDecimal(before).compareTo(new BigDecimal(after)) == 0;
    } catch (IllegalArgumentException e) { // not a staleness function or not a number (NumberFormatException)
      return false;
    }
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
