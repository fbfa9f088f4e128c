package dev.flotilla.bench;

import dev.flotilla.core.compress.Codec;
import dev.flotilla.core.compress.Codecs;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
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
 * Throughput of the update codecs of {@code dev.flotilla.core.compress}: {@link Codec#encode} and
 * {@link Codec#decode} of an update of 10M float32 parameters (4 dense weights of [2500, 1000], so int8 keeps 2,500
 * scales per tensor; values N(0, 0.01²), like a round's update), beside {@link #copy}, a plain copy of the same
 * floats into fresh arrays, in the same run.
 *
 * <p>One operation is one whole update, so the primary score is updates per second; the {@link Floats#megabytes}
 * secondary score is the same rate in MB/s of float32 input (P × 4 bytes per operation, 1 MB = 10⁶ bytes), whatever
 * size the encoding has. Encoding draws stochastic rounding from a generator made per operation.
 *
 * <p>Run: {@code java -jar flotilla-bench/target/benchmarks.jar CompressionBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
public class CompressionBenchmark {
  private static final int TENSORS = 4;
  private static final int ROWS = 2500;

  /** The codec, by its name in {@link Codecs}. */
  @Param({"fp16", "bf16", "int8", "int8:stochastic", "topk:0.01", "int8+lz4", "int8+zstd", "topk:0.01+zstd"})
  public String codec;

  /** Number of float32 parameters of the update. */
  @Param({"10000000"})
  public int parameters;

  private Codec parsed;
  private ModelWeights update;
  private ModelWeights encoded;
  private List<TensorSpec> specs;

  /** Counts the float32 bytes the update holds, reported by JMH as a rate: MB/s. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Floats {
    /** Megabytes (10⁶ bytes) of float32 values encoded, decoded or copied in this iteration. */
    public double megabytes;

    /** Starts each iteration from zero, as JMH expects of auxiliary counters. */
    @Setup(Level.Iteration)
    public void reset() {
      megabytes = 0;
    }
  }

  /** Builds the update (seeded) and encodes it once for {@link #decode}. */
  @Setup(Level.Trial)
  public void setUp() {
    if (parameters % (TENSORS * ROWS) != 0) {
      throw new IllegalArgumentException("parameters must be a multiple of " + TENSORS * ROWS + ", got " + parameters);
    }
    SplittableRandom random = new SplittableRandom(42);
    List<Tensor> tensors = new ArrayList<>(TENSORS);
    int columns = parameters / TENSORS / ROWS;
    for (int t = 0; t < TENSORS; t++) {
      float[] values = new float[ROWS * columns];
      for (int i = 0; i < values.length; i++) {
        double u = 1.0 - random.nextDouble();
        values[i] = (float) (0.01 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble()));
      }
      tensors.add(Tensor.wrap(new TensorSpec("layer" + t + ".weight", new int[] {ROWS, columns}), values));
    }
    update = ModelWeights.of(tensors);
    specs = update.specs();
    parsed = Codecs.parse(codec);
    encoded = parsed.encode(update, new Random(1));
    System.out.printf("%n%s: %,d bytes for %,d of float32 (%.4f)%n", parsed.name(), encoded.byteSize(),
        update.byteSize(), (double) encoded.byteSize() / update.byteSize());
  }

  /** Encodes the whole update. */
  @Benchmark
  public ModelWeights encode(Floats floats) {
    ModelWeights out = parsed.encode(update, new Random(7));
    floats.megabytes += update.byteSize() / 1e6;
    return out;
  }

  /** Decodes the update encoded at setup into fresh float32 tensors, with every check a server makes. */
  @Benchmark
  public ModelWeights decode(Floats floats) {
    ModelWeights out = parsed.decode(encoded, specs);
    floats.megabytes += update.byteSize() / 1e6;
    return out;
  }

  /** Reference: the same floats copied into fresh float32 tensors. */
  @Benchmark
  public ModelWeights copy(Floats floats) {
    List<Tensor> out = new ArrayList<>(TENSORS);
    for (Tensor t : update.tensors()) {
      out.add(Tensor.wrap(t.spec(), t.toArray()));
    }
    floats.megabytes += update.byteSize() / 1e6;
    return ModelWeights.of(out);
  }
}
