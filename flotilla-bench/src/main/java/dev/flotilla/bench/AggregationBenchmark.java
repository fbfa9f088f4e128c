package dev.flotilla.bench;

import dev.flotilla.core.aggregate.WeightedMean;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Workload W2, the averaging alone: FedAvg of K client results of P float32 parameters, folded one by one into a
 * {@link WeightedMean} (weights 100 + k examples) and then divided out by {@code result()}; beside it, a plain
 * {@code System.arraycopy} of the same K × P floats into one model-sized array, the memory-bandwidth ceiling.
 *
 * <p>The model has P parameters in 4 tensors of equal size, as in W3. The K updates are built once per trial, so
 * each operation reads K × P × 4 bytes of client data that are not in cache (K × P × 4 ≥ 40 MB, above the 32 MiB L3
 * of the reference machine). One operation aggregates (or copies) all K updates, so the primary score is rounds per
 * second; the {@link Bytes#gigabytes} secondary score is the same rate in GB/s of client data read (K × P × 4 bytes
 * per operation, 1 GB = 10⁹ bytes), kept by a JMH {@link AuxCounters} counter. The {@link #workload} pairs are fixed
 * rather than a cross product, since (100, 10M) would need 4 GB of updates.
 *
 * <p>Run: {@code java -jar flotilla-bench/target/benchmarks.jar AggregationBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms8g", "-Xmx8g", "-XX:+AlwaysPreTouch", "--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class AggregationBenchmark {
  private static final int TENSORS = 4;

  /** {@code K/P}: number of client updates and of float32 parameters per update. */
  @Param({"10/1000000", "100/1000000", "10/10000000"})
  public String workload;

  private List<TensorSpec> specs;
  private ModelWeights[] updates;
  private float[][] copyTarget;
  private double gigabytesPerOperation;

  /** Counts the client data read, reported by JMH as a rate: GB/s. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Bytes {
    /** Gigabytes (10⁹ bytes) of client updates read in this iteration. */
    public double gigabytes;

    /** Starts each iteration from zero, as JMH expects of auxiliary counters. */
    @Setup(Level.Iteration)
    public void reset() {
      gigabytes = 0;
    }
  }

  /** Builds the K updates with cheap pseudo-random values (no denormals, no NaN). */
  @Setup(Level.Trial)
  public void setUp() {
    String[] parts = workload.split("/");
    int clients = Integer.parseInt(parts[0]);
    int parameters = Integer.parseInt(parts[1]);
    specs = BenchModels.specs(parameters, TENSORS);
    updates = new ModelWeights[clients];
    int[] state = {12345};
    for (int k = 0; k < clients; k++) {
      updates[k] = BenchModels.random(specs, state);
    }
    copyTarget = new float[TENSORS][parameters / TENSORS];
    gigabytesPerOperation = 4.0 * clients * parameters / 1e9;
  }

  /** The averaging: fold every update into a fresh weighted mean, then compute the mean. */
  @Benchmark
  public ModelWeights fedAvg(Bytes bytes) {
    bytes.gigabytes += gigabytesPerOperation;
    WeightedMean mean = new WeightedMean(specs);
    for (int k = 0; k < updates.length; k++) {
      mean.fold(updates[k], 100 + k);
    }
    return mean.result();
  }

  /** The ceiling: copy every update's values into one model-sized array (reads and writes K × P × 4 bytes). */
  @Benchmark
  public float[][] arrayCopy(Bytes bytes) {
    bytes.gigabytes += gigabytesPerOperation;
    for (ModelWeights update : updates) {
      for (int t = 0; t < TENSORS; t++) {
        update.get(t).copyTo(copyTarget[t], 0);
      }
    }
    return copyTarget;
  }
}
