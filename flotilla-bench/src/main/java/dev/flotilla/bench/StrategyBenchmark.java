package dev.flotilla.bench;

import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.AggregateResult;
import dev.flotilla.core.strategy.ClientResult;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.ResultStream;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.strategy.Strategies;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.strategy.StrategyOptions;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The aggregation step of every strategy of {@link Strategies}: {@code aggregateTrain} over K client results of P
 * float32 parameters (weights 100 + k examples, a {@code train_loss} for QFedAvg), K in {10, 100}, P = 1M in 4
 * tensors. Robust strategies see the whole round at once, the others fold the stream. Read beside
 * {@link AggregationBenchmark#arrayCopy} of the same run (the memory-bandwidth ceiling): the secondary score is GB/s
 * of client data read.
 *
 * <p>Run: {@code java -jar flotilla-bench/target/benchmarks.jar 'StrategyBenchmark|AggregationBenchmark.arrayCopy'
 * -p workload=10/1000000,100/1000000}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms8g", "-Xmx8g", "-XX:+AlwaysPreTouch", "--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class StrategyBenchmark {
  private static final int TENSORS = 4;

  /** The strategy, by its name in {@link Strategies}. */
  @Param({"fedavg", "fedavgm", "fedprox", "fedadagrad", "fedadam", "fedyogi", "qfedavg", "fedmedian", "trimmed-mean",
      "krum", "multi-krum", "bulyan"})
  public String strategy;

  /** {@code K/P}: number of client results and of float32 parameters per result. */
  @Param({"10/1000000", "100/1000000"})
  public String workload;

  private Strategy instance;
  private ModelWeights global;
  private List<ClientResult<TrainResult>> results;
  private double gigabytesPerOperation;
  private int round;

  /** Builds the global model and the K results with cheap pseudo-random values. */
  @Setup
  public void setUp() {
    String[] parts = workload.split("/");
    int clients = Integer.parseInt(parts[0]);
    int parameters = Integer.parseInt(parts[1]);
    List<TensorSpec> specs = BenchModels.specs(parameters, TENSORS);
    int[] state = {12345};
    global = BenchModels.random(specs, state);
    results = new ArrayList<>(clients);
    for (int k = 0; k < clients; k++) {
      results.add(new ClientResult<>("client-" + k,
          new TrainResult(BenchModels.random(specs, state), 100 + k, Metrics.of("train_loss", 1.0 + k / 100.0))));
    }
    instance = Strategies.create(strategy, StrategyOptions.defaults(), FedAvg.Settings.builder().build());
    gigabytesPerOperation = 4.0 * clients * parameters / 1e9;
  }

  /** One round's aggregation. */
  @Benchmark
  public AggregateResult aggregate(AggregationBenchmark.Bytes bytes) {
    bytes.gigabytes += gigabytesPerOperation;
    round++;
    return instance.aggregateTrain(new RoundContext(round, round, 1), global, ResultStream.of(results, List.of()));
  }
}
