package dev.flotilla.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.flotilla.core.privacy.PrivacyMetrics;
import dev.flotilla.workflow.RoundRecord;
import dev.flotilla.workflow.RunSummary;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of a {@link Simulation}: the run (final model and a record per round) and what it cost.
 *
 * @param settings          what was run
 * @param run               the final model and the record of every round, round 0 (the initial model) first
 * @param trainExamples     size of the training set partitioned over the clients
 * @param testExamples      size of the central test set (0 for none)
 * @param wallSeconds       wall time of the whole run, partitioning included
 * @param cpuSeconds        CPU time of the process over the run, all threads; -1 if unknown
 * @param peakHeapUsedBytes largest heap in use seen during the run, garbage included
 * @param peakHeapAfterGcBytes largest heap in use right after a garbage collection during the run (about the live
 *                          data); -1 if no collection ran
 * @param maxHeapBytes      the heap limit of the JVM ({@code -Xmx})
 * @param peakResidentBytes peak resident memory of the process, native memory included; -1 if unknown
 * @param stopReason        why the strategy ended the run before its last round (a privacy budget), or null
 */
public record SimulationResult(SimulationSettings settings, RunSummary run, int trainExamples, int testExamples,
    double wallSeconds, double cpuSeconds, long peakHeapUsedBytes, long peakHeapAfterGcBytes, long maxHeapBytes,
    long peakResidentBytes, String stopReason) {
  /** Checks the required parts. */
  public SimulationResult {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(run, "run");
  }

  /** The record of every round, round 0 first. */
  public List<RoundRecord> records() {
    return run.records();
  }

  /** The accuracy of a round: central when measured, else federated; null if neither was. */
  public static Double accuracyOf(RoundRecord r) {
    return r.accuracy() != null ? r.accuracy() : r.fedAccuracy();
  }

  /** The round with the highest accuracy (the earliest of equals), if any round measured one. */
  public Optional<RoundRecord> best() {
    RoundRecord best = null;
    for (RoundRecord r : records()) {
      Double a = accuracyOf(r);
      if (a != null && (best == null || a > accuracyOf(best))) {
        best = r;
      }
    }
    return Optional.ofNullable(best);
  }

  /** The last round's record, if any round ran. */
  public Optional<RoundRecord> last() {
    return records().isEmpty() ? Optional.empty() : Optional.of(records().get(records().size() - 1));
  }

  /** Mean wall time of the training rounds (round 0, the initial evaluation, left out); NaN if none ran. */
  public double secondsPerRound() {
    return records().stream().filter(r -> r.round() > 0).mapToDouble(RoundRecord::seconds).average()
        .orElse(Double.NaN);
  }

  /** A few lines for people: best and final accuracy, time per round, peak memory. Ends with a newline. */
  public String toText() {
    StringBuilder out = new StringBuilder();
    best().ifPresentOrElse(
        b -> out.append(String.format(Locale.ROOT, "best accuracy %.4f (round %d)", accuracyOf(b), b.round())),
        () -> out.append("no accuracy measured"));
    last().filter(r -> accuracyOf(r) != null).ifPresent(l -> out.append(String.format(Locale.ROOT,
        ", final accuracy %.4f (round %d)", accuracyOf(l), l.round())));
    out.append('\n');
    if (stopReason != null) {
      out.append("stopped early: ").append(stopReason).append('\n');
    }
    last().flatMap(l -> l.metrics().get(PrivacyMetrics.EPSILON).isPresent()
        ? Optional.of(l.metrics()) : Optional.empty()).ifPresent(m -> out.append(String.format(Locale.ROOT,
        "privacy spent: epsilon %.4f at delta %s%n", m.get(PrivacyMetrics.EPSILON).getAsDouble(),
        m.get(PrivacyMetrics.DELTA).orElse(Double.NaN))));
    String perRound = settings.rounds() == 0 ? "no training rounds"
        : String.format(Locale.ROOT, "%.2f s per round (mean of %d rounds)", secondsPerRound(), settings.rounds());
    out.append(String.format(Locale.ROOT, "%s, %.1f s in all, %d of %d clients per round, %d workers%n", perRound,
        wallSeconds, settings.clientsPerRound(), settings.clients(), settings.workers()));
    if (cpuSeconds >= 0) {
      out.append(String.format(Locale.ROOT, "CPU %.1f s: on average %.2f of %d cores busy%n", cpuSeconds,
          cpuSeconds / wallSeconds, Runtime.getRuntime().availableProcessors()));
    }
    out.append(String.format(Locale.ROOT, "peak heap %s after GC, %s in use with garbage (-Xmx %s); peak resident"
        + " memory %s%n", peakHeapAfterGcBytes < 0 ? "unknown (no GC ran)" : mib(peakHeapAfterGcBytes),
        mib(peakHeapUsedBytes), mib(maxHeapBytes), mib(peakResidentBytes)));
    return out.toString();
  }

  /** The settings and the results as one JSON object, so that a run records what produced it. */
  public String toJson() {
    JsonObject json = new JsonObject();
    json.addProperty("model", settings.model());
    json.addProperty("strategy", settings.strategy().describe());
    if (settings.byzantine() != null) {
      json.addProperty("byzantine", settings.byzantine().toString());
    }
    json.addProperty("clients", settings.clients());
    json.addProperty("clients_per_round", settings.clientsPerRound());
    json.addProperty("rounds", settings.rounds());
    json.addProperty("scheme", settings.partitioner().spec());
    json.addProperty("seed", settings.seed());
    JsonObject config = new JsonObject();
    for (Map.Entry<String, Object> e : settings.trainConfig().values().entrySet()) {
      Object v = e.getValue();
      if (v instanceof Number n) {
        config.addProperty(e.getKey(), n);
      } else if (v instanceof Boolean b) {
        config.addProperty(e.getKey(), b);
      } else {
        config.addProperty(e.getKey(), String.valueOf(v));
      }
    }
    json.add("train_config", config);
    json.addProperty("fraction_evaluate", settings.fractionEvaluate());
    json.addProperty("workers", settings.workers());
    json.addProperty("train_examples", trainExamples);
    json.addProperty("test_examples", testExamples);
    best().ifPresent(b -> {
      json.addProperty("best_accuracy", accuracyOf(b));
      json.addProperty("best_round", b.round());
    });
    last().ifPresent(l -> {
      if (accuracyOf(l) != null) {
        json.addProperty("final_accuracy", accuracyOf(l));
      }
      if (l.loss() != null) {
        json.addProperty("final_loss", l.loss());
      }
    });
    last().ifPresent(l -> l.metrics().get(PrivacyMetrics.EPSILON).ifPresent(e -> {
      json.addProperty("final_epsilon", e);
      json.addProperty("delta", l.metrics().get(PrivacyMetrics.DELTA).orElse(Double.NaN));
    }));
    if (stopReason != null) {
      json.addProperty("stopped", stopReason);
    }
    json.addProperty("workflow", settings.async() == null ? "sync" : "async " + settings.async().describe());
    json.addProperty("client_speed", settings.clientSpeed());
    last().ifPresent(l -> l.metrics().get("sim_seconds").ifPresent(t -> json.addProperty("final_sim_seconds", t)));
    json.addProperty("seconds_per_round", secondsPerRound());
    json.addProperty("wall_seconds", wallSeconds);
    json.addProperty("cpu_seconds", cpuSeconds);
    json.addProperty("cores", Runtime.getRuntime().availableProcessors());
    json.addProperty("peak_heap_after_gc_bytes", peakHeapAfterGcBytes);
    json.addProperty("peak_heap_used_bytes", peakHeapUsedBytes);
    json.addProperty("max_heap_bytes", maxHeapBytes);
    json.addProperty("peak_resident_bytes", peakResidentBytes);
    return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(json);
  }

  private static String mib(long bytes) {
    return bytes < 0 ? "unknown" : String.format(Locale.ROOT, "%,d MiB", Math.round(bytes / 1048576.0));
  }
}
