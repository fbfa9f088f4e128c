package dev.flotilla.bench;

import dev.flotilla.client.ClientSettings;
import dev.flotilla.client.FlotillaClient;
import dev.flotilla.core.client.Context;
import dev.flotilla.core.client.TrainEvaluateApp;
import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.server.FlotillaServer;
import dev.flotilla.server.ServerSettings;
import dev.flotilla.transport.Protocol;
import dev.flotilla.workflow.RoundRecord;
import dev.flotilla.workflow.RunSummary;
import dev.flotilla.workflow.SyncSettings;
import dev.flotilla.workflow.SyncWorkflow;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One FedAvg round with a model of more than 2 GiB over real gRPC on 127.0.0.1, server and client in this JVM: the
 * test that nothing in the transport, server or client SDK caps a model at 2³¹ bytes.
 *
 * <p>The model has {@code GiB × 2³⁰ / 4} float32 parameters split into {@code tensors} equal 1-D tensors (each under
 * 2³¹ elements), with values uniform in [-1, 1) drawn from a {@link SplittableRandom} seeded per tensor. The client
 * returns the model it received plus {@value #DELTA} on every element; with one client FedAvg's mean is that update,
 * so the global model after the round must equal {@code initial + DELTA} element by element. The check regenerates
 * the initial values from the seeds as it walks the result, so it needs no second copy of the model.
 *
 * <p>{@code chunkKiB} sets the chunk size of both sides (default {@link Protocol#DEFAULT_CHUNK_BYTES}).
 *
 * <p>Prints the bytes moved down and up, the time, MB/s and process CPU time of each phase, and the peak heap. Exits
 * with status 1 if the round or the check fails. The live set peaks at about 5 × the model while the result is
 * uploaded (server: the initial model, FedAvg's accumulator, the upload being assembled; client: the model it
 * received and its result), and each tensor is one G1 humongous object that needs contiguous free regions, so give
 * the JVM about 6.5 × the model size (15 GiB for 2.25 GiB; 12 GiB ran out of memory):
 * <pre>{@code
 * java -Xmx15g -XX:+ExitOnOutOfMemoryError -Xlog:gc:file=gc.log -cp flotilla-bench/target/benchmarks.jar \
 *     dev.flotilla.bench.LargeModelTransfer [GiB=2.25] [tensors=4] [chunkKiB=256]
 * }</pre>
 */
public final class LargeModelTransfer {
  private static final float DELTA = 0.001f;
  private static final double TOLERANCE = 1e-6;
  private static final long SEED = 20240601L;
  private static final int MAX_TENSOR_ELEMENTS = Integer.MAX_VALUE - 8;

  private LargeModelTransfer() {}

  /** Runs the transfer; see the class comment for the arguments. */
  public static void main(String[] args) throws Exception {
    double gib = args.length > 0 ? Double.parseDouble(args[0]) : 2.25;
    int tensors = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int chunkBytes = args.length > 2 ? Protocol.checkChunkBytes(Integer.parseInt(args[2]) * 1024)
        : Protocol.DEFAULT_CHUNK_BYTES;
    long parameters = (long) (gib * (1L << 30) / 4) / tensors * tensors;
    long perTensor = parameters / tensors;
    if (perTensor < 1 || perTensor > MAX_TENSOR_ELEMENTS) {
      throw new IllegalArgumentException(tensors + " tensors of " + perTensor + " elements: each must hold 1 to "
          + MAX_TENSOR_ELEMENTS + " elements");
    }
    List<TensorSpec> specs = new ArrayList<>(tensors);
    for (int t = 0; t < tensors; t++) {
      specs.add(new TensorSpec("layer" + t + ".weight", new int[] {(int) perTensor}));
    }
    System.out.printf(Locale.ROOT, "model: %d float32 parameters in %d tensors of %d = %d bytes (%.3f GiB); chunks of"
        + " %d KiB; max heap %.2f GiB%n", parameters, tensors, perTensor, 4 * parameters, 4.0 * parameters / (1L << 30),
        chunkBytes / 1024, Runtime.getRuntime().maxMemory() / (double) (1L << 30));

    long t = System.nanoTime();
    ModelWeights initial = build(specs);
    System.out.printf(Locale.ROOT, "built the model in %.1f s%n", seconds(System.nanoTime() - t));
    if (!run(initial, specs, chunkBytes)) {
      System.exit(1);
    }
  }

  private static boolean run(ModelWeights initial, List<TensorSpec> specs, int chunkBytes)
      throws InterruptedException {
    PlusDelta app = new PlusDelta();
    AtomicReference<RoundRecord> round = new AtomicReference<>();
    RunSummary summary;
    long t0;
    long t1;
    long cpu0;
    long cpu1;
    HeapWatch heap;
    ServerSettings serverSettings = ServerSettings.builder().host("127.0.0.1").port(0).chunkBytes(chunkBytes)
        .build();
    try (FlotillaServer server = FlotillaServer.start(serverSettings)) {
      FlotillaClient client = new FlotillaClient(
          ClientSettings.builder("127.0.0.1:" + server.port(), "large-model-client").chunkBytes(chunkBytes).build(),
          app);
      Thread clientThread = new Thread(() -> {
        try {
          client.run();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "client-main");
      clientThread.start();
      if (!server.registry().awaitClients(1, Duration.ofSeconds(30))) {
        System.out.println("FAILED: the client did not connect within 30 s");
        client.close();
        return false;
      }
      SyncSettings sync = SyncSettings.builder().rounds(1).minClients(1).minFitClients(1)
          .roundTimeout(Duration.ofMinutes(10)).seed(1).evaluateInitial(false).build();
      heap = HeapWatch.start(10);
      ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor();
      progress.scheduleAtFixedRate(() -> log(String.format(Locale.ROOT, "server: %.0f MB sent, %.0f MB received",
          server.registry().bytesSent() / 1e6, server.registry().bytesReceived() / 1e6)), 5, 5, TimeUnit.SECONDS);
      log("round starts");
      cpu0 = processCpuNanos();
      t0 = System.nanoTime();
      summary = new SyncWorkflow(server.registry(), sync).run(new FedAvg(), initial, (r, m) -> {
        log("round over");
        round.set(r);
      });
      t1 = System.nanoTime();
      cpu1 = processCpuNanos();
      progress.shutdownNow();
      heap.close();
      clientThread.join(Duration.ofSeconds(30).toMillis());
      client.close();
    }
    RoundRecord r = round.get();
    long modelBytes = initial.byteSize();
    double down = seconds(app.trainStart - t0);
    double train = seconds(app.trainEnd - app.trainStart);
    double up = seconds(t1 - app.trainEnd);
    System.out.printf(Locale.ROOT, "round: %d ok, %d failed, %.2f s (workflow record), %.2f s wall%n",
        r.clientsOk(), r.clientsFailed(), r.seconds(), seconds(t1 - t0));
    System.out.printf(Locale.ROOT, "down:  %,d bytes in %.2f s = %.0f MB/s (server encode, gRPC, client decode)%n",
        r.bytesDown(), down, r.bytesDown() / down / 1e6);
    System.out.printf(Locale.ROOT, "app:   %.2f s (client adds %s to every element)%n", train, DELTA);
    System.out.printf(Locale.ROOT, "up:    %,d bytes in %.2f s = %.0f MB/s (client encode, gRPC, server decode,"
        + " validation, FedAvg)%n", r.bytesUp(), up, r.bytesUp() / up / 1e6);
    System.out.printf(Locale.ROOT, "total: %,d bytes in %.2f s = %.0f MB/s%n", r.bytesDown() + r.bytesUp(),
        down + up, (r.bytesDown() + r.bytesUp()) / (down + up) / 1e6);
    System.out.printf(Locale.ROOT, "cpu:   %.2f s of process CPU time during the round (all threads, GC and JIT"
        + " included) = %.2f s per GB moved%n", seconds(cpu1 - cpu0),
        seconds(cpu1 - cpu0) / ((r.bytesDown() + r.bytesUp()) / 1e9));
    System.out.printf(Locale.ROOT, "peak heap: %.2f GiB sampled every 10 ms (%.2f x model), %.2f GiB sum of pool"
        + " peaks; peak RSS %.2f GiB%n", gib(heap.peakSampledBytes()), heap.peakSampledBytes() / (double) modelBytes,
        gib(HeapWatch.sumOfPoolPeaksBytes()), gib(HeapWatch.peakResidentBytes()));
    boolean ok = r.clientsOk() == 1 && r.bytesDown() == modelBytes && r.bytesUp() == modelBytes;
    if (!ok) {
      System.out.println("FAILED: expected 1 result and " + modelBytes + " bytes each way");
      return false;
    }
    return verify(summary.finalModel(), specs);
  }

  /** Checks every element of {@code result} against the regenerated initial value + {@link #DELTA}. */
  private static boolean verify(ModelWeights result, List<TensorSpec> specs) {
    long t = System.nanoTime();
    if (!result.specs().equals(specs)) {
      System.out.println("FAILED: the result has specs " + result.specs() + ", expected " + specs);
      return false;
    }
    long bad = 0;
    long exact = 0;
    double maxError = 0;
    for (int i = 0; i < specs.size(); i++) {
      Tensor tensor = result.get(i);
      SplittableRandom values = generator(i);
      for (int j = 0; j < tensor.size(); j++) {
        float expected = next(values) + DELTA;
        float actual = tensor.get(j);
        double error = Math.abs((double) actual - expected);
        if (actual == expected) {
          exact++;
        } else if (!(error <= TOLERANCE)) {
          if (bad++ < 5) {
            System.out.printf(Locale.ROOT, "mismatch: %s[%d] = %s, expected %s%n", tensor.name(), j, actual,
                expected);
          }
        }
        maxError = Math.max(maxError, error);
      }
    }
    long n = result.numParameters();
    System.out.printf(Locale.ROOT, "check: %,d elements, %,d bit-exact, %,d beyond %.0e, max |error| %.3e"
        + " (%.1f s)%n", n, exact, bad, TOLERANCE, maxError, seconds(System.nanoTime() - t));
    System.out.println(bad == 0 ? "OK: result = sent + " + DELTA + " on every element" : "FAILED: " + bad
        + " elements differ");
    return bad == 0;
  }

  private static ModelWeights build(List<TensorSpec> specs) {
    List<Tensor> tensors = new ArrayList<>(specs.size());
    for (int i = 0; i < specs.size(); i++) {
      SplittableRandom values = generator(i);
      float[] v = new float[specs.get(i).size()];
      for (int j = 0; j < v.length; j++) {
        v[j] = next(values);
      }
      tensors.add(Tensor.wrap(specs.get(i), v));
    }
    return ModelWeights.of(tensors);
  }

  private static SplittableRandom generator(int tensor) {
    return new SplittableRandom(SEED + tensor);
  }

  /** Uniform in [-1, 1) with 24 random bits, so every value is exact in float32. */
  private static float next(SplittableRandom random) {
    return (random.nextInt() >> 8) * 0x1p-23f;
  }

  /** Prints {@code what} with the JVM's uptime (to line up with {@code -Xlog:gc}) and the used heap. */
  private static void log(String what) {
    System.out.printf(Locale.ROOT, "[%.3fs] %s (heap used %.2f GiB)%n",
        ManagementFactory.getRuntimeMXBean().getUptime() / 1e3, what,
        gib(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed()));
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static double gib(long bytes) {
    return bytes / (double) (1L << 30);
  }

  /** The client's app: returns the model it was sent plus {@link #DELTA}, and records when it ran. */
  private static final class PlusDelta implements TrainEvaluateApp {
    volatile long trainStart;
    volatile long trainEnd;

    @Override
    public TrainResult train(TrainInstructions instructions, Context context) {
      trainStart = System.nanoTime();
      log("client app: received the model, adding " + DELTA);
      List<Tensor> out = new ArrayList<>(instructions.model().count());
      for (Tensor t : instructions.model().tensors()) {
        float[] v = t.toArray();
        for (int j = 0; j < v.length; j++) {
          v[j] += DELTA;
        }
        out.add(Tensor.wrap(t.spec(), v));
      }
      TrainResult result = new TrainResult(ModelWeights.of(out), 1, Metrics.empty());
      trainEnd = System.nanoTime();
      log("client app: returning the result");
      return result;
    }

    @Override
    public EvaluateResult evaluate(EvaluateInstructions instructions, Context context) {
      return new EvaluateResult(0, 0, Metrics.empty());
    }
  }
}
