package dev.flotilla.dashboard;

import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.workflow.Fleet;
import dev.flotilla.workflow.RoundRecord;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * A run's Prometheus metrics, with the JVM's, in a registry of its own (so that two runs in one JVM, as in tests, do
 * not share counters):
 * <ul>
 *   <li>{@code flotilla_rounds_total}, {@code flotilla_round} (the round in progress or last finished) and
 *       {@code flotilla_round_duration_seconds} (a histogram of the rounds' wall time);</li>
 *   <li>{@code flotilla_clients_connected}; {@code flotilla_client_results_total{phase}} and
 *       {@code flotilla_client_failures_total{phase,kind}}, phase {@code train} or {@code evaluate}, kind
 *       {@code DISCONNECTED}, {@code TIMEOUT}, {@code REJECTED} or {@code CLIENT_ERROR};</li>
 *   <li>{@code flotilla_received_bytes_total} and {@code flotilla_sent_bytes_total}: model arrays to and from the
 *       clients;</li>
 *   <li>{@code flotilla_accuracy} and {@code flotilla_loss} of the last central (else federated) evaluation, and
 *       {@code flotilla_privacy_epsilon} when the strategy reports it;</li>
 *   <li>the JVM's: memory, GC, threads, classes, CPU ({@code jvm_*}, {@code process_*}).</li>
 * </ul>
 * Thread-safe.
 */
public final class RunMetrics {
  private static final double[] ROUND_SECONDS_BOUNDS = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000};
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final ExpositionFormats formats = ExpositionFormats.init();
  private final AtomicReference<Fleet> fleet = new AtomicReference<>();
  private final Counter rounds;
  private final Gauge round;
  private final Histogram roundSeconds;
  private final Counter results;
  private final Counter failures;
  private final Gauge accuracy;
  private final Gauge loss;
  private final Gauge epsilon;

  /** Empty metrics, with the JVM's registered. */
  public RunMetrics() {
    rounds = Counter.builder().name("flotilla_rounds").help("Training rounds finished").register(registry);
    round = Gauge.builder().name("flotilla_round").help("The round in progress, or the last one when the run is over")
        .register(registry);
    roundSeconds = Histogram.builder().name("flotilla_round_duration_seconds")
        .help("Wall time of a round, from its start to the start of the next").classicOnly()
        .classicUpperBounds(ROUND_SECONDS_BOUNDS).register(registry);
    results = Counter.builder().name("flotilla_client_results").help("Results delivered by clients, by phase")
        .labelNames("phase").register(registry);
    failures = Counter.builder().name("flotilla_client_failures")
        .help("Clients that failed in a phase (disconnected, timed out, rejected, client error), by phase and kind")
        .labelNames("phase", "kind").register(registry);
    accuracy = Gauge.builder().name("flotilla_accuracy")
        .help("Accuracy of the last round's central evaluation (federated if there was none)").register(registry);
    loss = Gauge.builder().name("flotilla_loss")
        .help("Loss of the last round's central evaluation (federated if there was none)").register(registry);
    epsilon = Gauge.builder().name("flotilla_privacy_epsilon")
        .help("Privacy spent so far (epsilon at the run's delta), when differential privacy is on").register(registry);
    GaugeWithCallback.builder().name("flotilla_clients_connected").help("Clients connected now")
        .callback(cb -> cb.call(fromFleet(Fleet::size))).register(registry);
    CounterWithCallback.builder().name("flotilla_received_bytes").help("Array bytes received from clients")
        .callback(cb -> cb.call(fromFleet(Fleet::bytesReceived))).register(registry);
    CounterWithCallback.builder().name("flotilla_sent_bytes").help("Array bytes sent to clients")
        .callback(cb -> cb.call(fromFleet(Fleet::bytesSent))).register(registry);
    JvmMetrics.builder().register(registry);
  }

  /** The fleet whose clients and traffic are reported from now on. */
  public void watch(Fleet fleet) {
    this.fleet.set(fleet);
  }

  /** Round {@code n} started. */
  public void roundStarted(int n) {
    round.set(n);
  }

  /** Round {@code r.round()} finished (round 0, the initial evaluation, counts no round and no duration). */
  public void roundFinished(RoundRecord r) {
    if (r.round() > 0) {
      rounds.inc();
      roundSeconds.observe(r.seconds());
    }
    showFigures(r);
  }

  /**
   * A stored run goes on after {@code last}, the last round it completed before a restart: the gauges show that
   * round's figures; the counters and the histogram stay at what this process did.
   */
  public void runResumed(RoundRecord last) {
    round.set(last.round());
    showFigures(last);
  }

  private void showFigures(RoundRecord r) {
    Double acc = r.accuracy() != null ? r.accuracy() : r.fedAccuracy();
    Double l = r.loss() != null ? r.loss() : r.fedLoss();
    if (acc != null) {
      accuracy.set(acc);
    }
    if (l != null) {
      loss.set(l);
    }
    r.metrics().get("epsilon").ifPresent(epsilon::set);
  }

  /** A client delivered a result in {@code phase}. */
  public void clientResult(String phase) {
    results.labelValues(phase).inc();
  }

  /** A client failed in {@code phase}. */
  public void clientFailed(String phase, ClientFailure failure) {
    failures.labelValues(phase, failure.kind().name()).inc();
  }

  /** The registry, for further metrics. */
  public PrometheusRegistry registry() {
    return registry;
  }

  /**
   * Writes every metric in the format that {@code acceptHeader} asks for (the Prometheus text format when it asks for
   * none) to {@code out}, and returns that format's content type.
   */
  public String write(String acceptHeader, OutputStream out) throws IOException {
    ExpositionFormatWriter writer = formats.findWriter(acceptHeader);
    writer.write(out, registry.scrape());
    return writer.getContentType();
  }

  /** The content type {@link #write} uses for {@code acceptHeader}. */
  public String contentType(String acceptHeader) {
    return formats.findWriter(acceptHeader).getContentType();
  }

  private double fromFleet(ToDoubleFunction<Fleet> f) {
    Fleet current = fleet.get();
    return current == null ? 0 : f.applyAsDouble(current);
  }
}
