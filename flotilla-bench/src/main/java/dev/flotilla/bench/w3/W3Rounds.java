package dev.flotilla.bench.w3;

import dev.flotilla.bench.w3.TimedFedAvg.ResultTimes;
import dev.flotilla.bench.w3.TimedFedAvg.RoundTimes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the timestamps of {@link TimedFedAvg} into the per-round rows of W3, with Flower's definitions
 * ({@code w3_overhead.py}) and a timeline of where the round went. All figures are seconds.
 *
 * <p>Flower's columns: {@code round_wall_s} = end of aggregation r − end of aggregation r−1 (round 1: − end of
 * configure 1, after every client had connected); {@code configure_fit_s}; {@code aggregate_fit_s} = the strategy's
 * aggregation call, which here streams, so it also spans the wait for results; {@code fit_phase_s} = configure end to
 * aggregation start (≈ 0 here, since aggregation starts with the round).
 *
 * <p>The timeline, from the end of configure: {@code between_rounds_s} (end of aggregation r−1 to configure start r:
 * the workflow's check of the new model and the wait for clients), {@code down_first_s}/{@code down_last_s} (the
 * first and last client app got its decoded model), {@code app_max_s} (longest client app), {@code
 * first_result_s}/{@code last_result_s} (FedAvg got the first and last decoded, validated result), {@code
 * up_median_s} (per client, app end to result handed to FedAvg: client encode, transfer, server decode, waiting for
 * an upload slot, validation), {@code fold_total_s} (FedAvg folding the results), {@code finalize_s} (last fold to
 * the end of aggregation: the mean's division).
 */
final class W3Rounds {
  private W3Rounds() {}

  static List<Map<String, Object>> rows(Map<Integer, RoundTimes> rounds) {
    List<Map<String, Object>> rows = new ArrayList<>();
    RoundTimes previous = null;
    for (RoundTimes r : rounds.values()) {
      long from = previous == null ? r.configureEnd() : previous.aggregateEnd();
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("round", r.round());
      row.put("round_wall_s", s(r.aggregateEnd() - from));
      row.put("fit_phase_s", s(r.aggregateStart() - r.configureEnd()));
      row.put("configure_fit_s", s(r.configureEnd() - r.configureStart()));
      row.put("aggregate_fit_s", s(r.aggregateEnd() - r.aggregateStart()));
      row.put("n_results", r.results().size());
      row.put("n_failures", r.failures().size());
      row.put("num_examples_total", r.results().stream().mapToLong(ResultTimes::examples).sum());
      row.put("between_rounds_s", previous == null ? null : s(r.configureStart() - previous.aggregateEnd()));
      if (!r.results().isEmpty()) {
        long t0 = r.configureEnd();
        row.put("down_first_s", s(min(r, ResultTimes::appStart) - t0));
        row.put("down_last_s", s(max(r, ResultTimes::appStart) - t0));
        row.put("app_max_s", s(r.results().stream().mapToLong(x -> x.appEnd() - x.appStart()).max().orElse(0)));
        row.put("first_result_s", s(min(r, ResultTimes::handedOut) - t0));
        row.put("last_result_s", s(max(r, ResultTimes::handedOut) - t0));
        row.put("up_median_s", s(median(r.results().stream().mapToLong(x -> x.handedOut() - x.appEnd()).toArray())));
        row.put("fold_total_s", s(r.results().stream().mapToLong(x -> x.folded() - x.handedOut()).sum()));
        row.put("finalize_s", s(r.aggregateEnd() - max(r, ResultTimes::folded)));
        List<Map<String, Object>> clients = new ArrayList<>();
        for (ResultTimes x : r.results()) {
          Map<String, Object> c = new LinkedHashMap<>();
          c.put("client", x.clientId());
          c.put("app_start_s", s(x.appStart() - t0));
          c.put("app_end_s", s(x.appEnd() - t0));
          c.put("received_s", s(x.handedOut() - t0));
          c.put("folded_s", s(x.folded() - t0));
          clients.add(c);
        }
        row.put("clients", clients);
      }
      rows.add(row);
      previous = r;
    }
    return rows;
  }

  private interface Stamp {
    long of(ResultTimes r);
  }

  private static long min(RoundTimes r, Stamp stamp) {
    return r.results().stream().mapToLong(stamp::of).min().orElseThrow();
  }

  private static long max(RoundTimes r, Stamp stamp) {
    return r.results().stream().mapToLong(stamp::of).max().orElseThrow();
  }

  static double median(long[] values) {
    long[] v = values.clone();
    java.util.Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
  }

  private static double s(double micros) {
    return Math.round(micros) / 1e6;
  }
}
