package dev.flotilla.bench.w3;

import com.google.gson.GsonBuilder;
import dev.flotilla.bench.HeapWatch;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.server.FlotillaServer;
import dev.flotilla.server.ServerSettings;
import dev.flotilla.workflow.RunSummary;
import dev.flotilla.workflow.SyncSettings;
import dev.flotilla.workflow.SyncWorkflow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The server process of workload W3 (WORKLOADS.md, {@code bench/w3.sh}): a {@link FlotillaServer} on 127.0.0.1 and a
 * {@link SyncWorkflow} with FedAvg, every one of K clients training every round, no evaluation of any kind, 6
 * rounds, from {@link W3Model#initial}. It writes {@code rounds.json} with Flower's fields ({@link W3Rounds}), the
 * check (final model = initial + rounds × 0.001 within 1e-5, {@linkplain W3Model#tolerance in proportion} beyond 6
 * rounds) and the process's resident memory when idle and at its peak, and exits with status 1 if the check fails.
 * <pre>{@code
 * java -cp flotilla-bench/target/benchmarks.jar dev.flotilla.bench.w3.W3Server --port 18400 --clients 10 \
 *     --params 1000000 [--rounds 6] [--upload-slots N] [--chunk-kib K] [--window-kib K] [--max-concurrent-fit N]
 *     [--lend-uploads true|false] [--outdir DIR]
 * }</pre>
 */
public final class W3Server {
  private static final Set<String> OPTIONS = Set.of("port", "clients", "params", "rounds", "upload-slots", "chunk-kib",
      "window-kib", "max-concurrent-fit", "lend-uploads", "outdir");

  private W3Server() {}

  /** What a run produced: the rows and the check. */
  public record Outcome(List<Map<String, Object>> rows, double maxAbsDeviation, int rounds, boolean correct) {}

  /**
   * Runs W3 on an already started {@code server} whose {@code clients} clients connect by themselves; returns when
   * every round is over and the clients were told to finish.
   */
  public static Outcome run(FlotillaServer server, ModelWeights initial, int clients, int rounds)
      throws InterruptedException {
    return run(server, initial, clients, rounds, clients);
  }

  /** As {@link #run(FlotillaServer, ModelWeights, int, int)}, with at most {@code maxConcurrentFit} clients at work. */
  public static Outcome run(FlotillaServer server, ModelWeights initial, int clients, int rounds, int maxConcurrentFit)
      throws InterruptedException {
    TimedFedAvg strategy = new TimedFedAvg();
    SyncSettings sync = SyncSettings.builder().rounds(rounds).minClients(clients).minFitClients(clients)
        .maxConcurrentFit(maxConcurrentFit).roundTimeout(Duration.ofMinutes(10)).seed(0).evaluateInitial(false)
        .build();
    RunSummary summary = new SyncWorkflow(server.registry(), sync).run(strategy, initial, (record, model) -> { });
    List<Map<String, Object>> rows = W3Rounds.rows(strategy.rounds());
    int completed = (int) rows.stream().filter(r -> (int) r.get("n_results") == clients).count();
    double deviation = W3Model.maxAbsDeviation(summary.finalModel(), initial, W3Model.DELTA * (double) rows.size());
    boolean correct = deviation < W3Model.tolerance(rounds) && rows.size() == rounds && completed == rounds;
    return new Outcome(rows, deviation, rows.size(), correct);
  }

  /** Runs the server process; see the class comment for the options. */
  public static void main(String[] args) throws Exception {
    int clients;
    long params;
    int rounds;
    int maxConcurrentFit;
    Path outdir;
    ServerSettings settings;
    try {
      W3Options a = W3Options.parse(args, OPTIONS);
      clients = a.integer("clients", 10, 1);
      params = a.longInteger("params", 1_000_000, 4);
      try {
        W3Model.checkParameters(params);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--params: " + e.getMessage(), e);
      }
      rounds = a.integer("rounds", 6, 1);
      maxConcurrentFit = a.integer("max-concurrent-fit", clients, 1);
      outdir = Path.of(a.string("outdir", "."));
      ServerSettings.Builder builder = ServerSettings.builder().host("127.0.0.1").port(a.integer("port", 18400, 0))
          .lendUploads(a.bool("lend-uploads", false));
      if (a.has("chunk-kib")) {
        builder.chunkBytes(a.integer("chunk-kib", 0, 1) << 10);
      }
      if (a.has("window-kib")) {
        builder.flowControlWindowBytes(a.integer("window-kib", 0, 1) << 10);
      }
      if (a.has("upload-slots")) {
        builder.uploadSlots(a.integer("upload-slots", 0, 1));
      }
      settings = builder.build();
    } catch (IllegalArgumentException e) {
      W3Options.exitOnBadOptions("W3Server", e);
      return;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    Outcome outcome;
    try (FlotillaServer server = FlotillaServer.start(settings)) {
      out.put("idle_rss_mib", Memory.residentMib("VmRSS"));
      ModelWeights initial = W3Model.initial(params);
      out.put("model_rss_mib", Memory.residentMib("VmRSS"));
      outcome = run(server, initial, clients, rounds, maxConcurrentFit);
      out.put("thread_cpu_s", ThreadCpu.byGroup());
    }
    double total = (System.nanoTime() - t0) / 1e9;
    for (Map<String, Object> row : outcome.rows()) {
      Map<String, Object> brief = new LinkedHashMap<>(row);
      brief.remove("clients");
      System.out.println("ROUND " + new GsonBuilder().create().toJson(brief));
    }
    List<Double> later = outcome.rows().stream().filter(r -> (int) r.get("round") >= 2 && (int) r.get("round") <= 6)
        .map(r -> (Double) r.get("round_wall_s")).toList();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("K", clients);
    result.put("P", params);
    result.put("rounds_completed", outcome.rounds());
    result.put("rows", outcome.rows());
    result.put("median_round_s_r2_6", later.isEmpty() ? null : median(later));
    result.put("median_aggregate_fit_s_r2_6", medianOf(outcome.rows(), "aggregate_fit_s"));
    result.put("median_fit_phase_s_r2_6", medianOf(outcome.rows(), "fit_phase_s"));
    result.put("max_abs_dev", outcome.maxAbsDeviation());
    result.put("expected_offset", W3Model.DELTA * (double) outcome.rounds());
    result.put("correct", outcome.correct());
    result.put("start_server_total_s", total);
    result.putAll(out);
    result.put("peak_rss_mib_self", Memory.residentMib("VmHWM"));
    result.put("jvm_args", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
    Files.writeString(outdir.resolve("rounds.json"),
        new GsonBuilder().setPrettyPrinting().serializeNulls().serializeSpecialFloatingPointValues().create()
            .toJson(result));
    System.out.printf(Locale.ROOT, "MAX_ABS_DEV %.3e  correct=%s  SERVER_TOTAL_S %.2f%n", outcome.maxAbsDeviation(),
        outcome.correct(), total);
    System.exit(outcome.correct() ? 0 : 1);
  }

  private static Double medianOf(List<Map<String, Object>> rows, String key) {
    List<Double> v = rows.stream().filter(r -> (int) r.get("round") >= 2 && (int) r.get("round") <= 6)
        .map(r -> (Double) r.get(key)).toList();
    return v.isEmpty() ? null : median(v);
  }

  private static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  /** Reads this process's resident memory figures from {@code /proc/self/status}. */
  static final class Memory {
    private Memory() {}

    /** {@code field} ({@code VmRSS}, {@code VmHWM}) in MiB, or -1 where unknown. */
    static double residentMib(String field) {
      long bytes = HeapWatch.statusBytes("self", field);
      return bytes < 0 ? -1 : bytes / (1024.0 * 1024.0);
    }
  }
}
