package dev.flotilla.bench;

import com.google.protobuf.UnsafeByteOperations;
import dev.flotilla.core.aggregate.UpdateValidator;
import dev.flotilla.core.aggregate.WeightedMean;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.Metadata;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.tensor.BufferLoan;
import dev.flotilla.core.tensor.FloatKernels;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.transport.HeaderPolicy;
import dev.flotilla.transport.MessageAssembler;
import dev.flotilla.transport.MessageEncoder;
import dev.flotilla.transport.Protocol;
import dev.flotilla.transport.proto.Frame;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.zip.CRC32;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Workload W2, the whole server step of a FedAvg round: K client results of P float32 parameters decoded from their
 * wire frames by a {@link MessageAssembler} (CRC32 checks included), each checked as a server checks every result
 * ({@link UpdateValidator#problem}: names, shapes, no NaN or infinity) and folded into a {@link WeightedMean} (weights
 * 100 + k examples) as soon as it is decoded and then dropped, the mean taken, and the new model encoded for the next
 * round by a {@link MessageEncoder} (once: the frames of one message). Beside it, on the same data in the same run:
 * {@link #arrayCopy}, the memory-bandwidth ceiling of {@link AggregationBenchmark}, and the parts of the step alone
 * ({@link #decode}: K decodes, nothing folded; {@link #fold}: K folds of results decoded once at setup), to show
 * where the time goes, and {@link #wholeStepChunkFoldPrototype}, what the step could be if uploads were folded chunk
 * by chunk as they arrive ({@link ChunkFoldPrototype}).
 *
 * <p>The model has P parameters in 4 equal tensors. The K results are encoded once per trial into default-size
 * ({@value Protocol#DEFAULT_CHUNK_BYTES} bytes) chunks; protobuf parsing and gRPC are not included, since the frames
 * arrive parsed. Each operation handles all K results, so the primary score is rounds per second; the
 * {@link Bytes#gigabytes} secondary score is GB/s of client data read (K × P × 4 bytes per operation, 1 GB = 10⁹
 * bytes), kept by a JMH {@link AuxCounters} counter, for every benchmark method alike.
 *
 * <p>Run: {@code java -jar flotilla-bench/target/benchmarks.jar WholeStepBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms8g", "-Xmx8g", "-XX:+AlwaysPreTouch", "--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class WholeStepBenchmark {
  private static final int TENSORS = 4;
  /** Uploads a server decodes at once: its upload slots ({@code ServerSettings} default). */
  private static final int SLOTS = 2;

  /** {@code K/P}: number of client results and of float32 parameters per result. */
  @Param({"10/1000000", "100/1000000", "10/10000000"})
  public String workload;

  private List<TensorSpec> specs;
  private List<List<Frame>> uploads;
  private List<List<Frame>> directUploads; // the same frames with their chunks' bytes in direct buffers
  private ModelWeights[] decoded; // for fold and arrayCopy: the same values, already decoded
  private MessageEncoder encoder;
  private float[][] copyTarget;
  private float[][] secondCopyTarget;
  private ExecutorService decoders;
  private double gigabytesPerOperation;

  /** Builds K results with cheap pseudo-random values (no denormals, no NaN) and encodes each into frames. */
  @Setup(Level.Trial)
  public void setUp() {
    String[] parts = workload.split("/");
    int clients = Integer.parseInt(parts[0]);
    int parameters = Integer.parseInt(parts[1]);
    specs = BenchModels.specs(parameters, TENSORS);
    encoder = new MessageEncoder(Protocol.DEFAULT_CHUNK_BYTES);
    uploads = new ArrayList<>(clients);
    decoded = new ModelWeights[clients];
    int[] state = {12345};
    for (int k = 0; k < clients; k++) {
      ModelWeights values = BenchModels.random(specs, state);
      Message result = MessageTypes.trainResult(new TrainResult(values, 100 + k, Metrics.empty()))
          .withMetadata(Metadata.none().withIds(k + 1, 1));
      List<Frame> frames = new ArrayList<>();
      encoder.encode(result).forEachRemaining(frames::add);
      uploads.add(frames);
      decoded[k] = decode(frames).weights();
      if (!decoded[k].contentEquals(result.arrays())) {
        throw new IllegalStateException("the codec does not round-trip result " + k);
      }
    }
    copyTarget = new float[TENSORS][parameters / TENSORS];
    secondCopyTarget = new float[TENSORS][parameters / TENSORS];
    decoders = Executors.newFixedThreadPool(SLOTS, r -> {
      Thread t = new Thread(r, "decoder");
      t.setDaemon(true);
      return t;
    });
    directUploads = new ArrayList<>(clients);
    for (List<Frame> upload : uploads) {
      directUploads.add(inDirectBuffers(upload));
    }
    ModelWeights viaAssembler = foldAll();
    ModelWeights lent = foldAllLent();
    if (!lent.contentEquals(viaAssembler)) {
      throw new IllegalStateException("folding lent arrays does not give FedAvg's mean bit for bit");
    }
    float[][] viaChunks = foldChunks();
    for (int t = 0; t < TENSORS; t++) {
      if (!java.util.Arrays.equals(viaChunks[t], viaAssembler.get(t).toArray())) {
        throw new IllegalStateException("the chunk-fold prototype does not give FedAvg's mean (tensor " + t + ")");
      }
    }
    gigabytesPerOperation = 4.0 * clients * parameters / 1e9;
    System.out.println("float kernels: " + FloatKernels.description());
  }

  /** The whole step: decode, fold and drop each result in turn, take the mean, encode it. */
  @Benchmark
  public void wholeStep(AggregationBenchmark.Bytes bytes, Blackhole bh) {
    bytes.gigabytes += gigabytesPerOperation;
    encode(foldAll(), bh);
  }

  /**
   * The step as a server runs it: the results are decoded on {@value #SLOTS} other threads (a server decodes uploads
   * on its transport's callback threads, {@value #SLOTS} upload slots by default), at most {@value #SLOTS} at a time,
   * while this thread folds them in order and then encodes the mean. The same work as {@link #wholeStep}, spread over
   * three threads; compare it with {@link #arrayCopyTwoThreads}, the copy on two.
   */
  @Benchmark
  public void wholeStepAsServed(AggregationBenchmark.Bytes bytes, Blackhole bh) throws Exception {
    bytes.gigabytes += gigabytesPerOperation;
    encode(foldAsServed(uploads, WholeStepBenchmark::decodeCopied), bh);
  }

  /**
   * {@link #wholeStep} as a server makes it for a strategy that reads results only while iterating them (FedAvg):
   * each upload's float32 arrays are lent, read where they arrived (direct buffers, as gRPC's Netty transport lends
   * them; CRC and the NaN/infinity check as they arrive, the fold from them), and given back once folded.
   */
  @Benchmark
  public void wholeStepLent(AggregationBenchmark.Bytes bytes, Blackhole bh) {
    bytes.gigabytes += gigabytesPerOperation;
    encode(foldAllLent(), bh);
  }

  /** {@link #wholeStepAsServed} with lent arrays, as {@link #wholeStepLent}. */
  @Benchmark
  public void wholeStepAsServedLent(AggregationBenchmark.Bytes bytes, Blackhole bh) throws Exception {
    bytes.gigabytes += gigabytesPerOperation;
    encode(foldAsServed(directUploads, WholeStepBenchmark::decodeLent), bh);
  }

  /**
   * The results decoded on {@value #SLOTS} other threads, at most {@value #SLOTS} at a time, while this thread checks
   * and folds them in order (giving back each lent one once folded); returns the mean.
   */
  private ModelWeights foldAsServed(List<List<Frame>> frames, Function<List<Frame>, Lent> decoder) throws Exception {
    WeightedMean mean = new WeightedMean(specs);
    Deque<Future<Lent>> inFlight = new ArrayDeque<>();
    int next = 0;
    for (; next < SLOTS && next < frames.size(); next++) {
      List<Frame> upload = frames.get(next);
      inFlight.add(decoders.submit(() -> decoder.apply(upload)));
    }
    while (!inFlight.isEmpty()) {
      Lent r = inFlight.poll().get();
      if (next < frames.size()) {
        List<Frame> upload = frames.get(next++);
        inFlight.add(decoders.submit(() -> decoder.apply(upload)));
      }
      fold(mean, r);
    }
    return mean.result();
  }

  /** Checks {@code r} as a server does, folds it, and gives back its loan if its arrays are lent. */
  private void fold(WeightedMean mean, Lent r) {
    check(r.result());
    mean.fold(r.result().weights(), r.result().numExamples());
    if (r.loan() != null) {
      r.loan().giveBack();
    }
  }

  /**
   * What the step could be (a prototype, see {@link ChunkFoldPrototype}): each upload folded into the mean chunk by
   * chunk as its frames come, CRC32 on the chunks' own arrays, no model-sized array per upload; then encoded.
   */
  @Benchmark
  public void wholeStepChunkFoldPrototype(AggregationBenchmark.Bytes bytes, Blackhole bh) {
    bytes.gigabytes += gigabytesPerOperation;
    float[][] mean = foldChunks();
    List<Tensor> tensors = new ArrayList<>(TENSORS);
    for (int t = 0; t < TENSORS; t++) {
      tensors.add(Tensor.wrap(specs.get(t), mean[t]));
    }
    encode(ModelWeights.of(tensors), bh);
  }

  /**
   * The decoding alone: K results decoded (CRC32 checks and the decoder's search for NaN and infinity included) and
   * dropped.
   */
  @Benchmark
  public void decode(AggregationBenchmark.Bytes bytes, Blackhole bh) {
    bytes.gigabytes += gigabytesPerOperation;
    for (List<Frame> upload : uploads) {
      bh.consume(decode(upload));
    }
  }

  /** The averaging alone, on the same results decoded once at setup (as {@link AggregationBenchmark#fedAvg}). */
  @Benchmark
  public ModelWeights fold(AggregationBenchmark.Bytes bytes) {
    bytes.gigabytes += gigabytesPerOperation;
    WeightedMean mean = new WeightedMean(specs);
    for (int k = 0; k < decoded.length; k++) {
      mean.fold(decoded[k], 100 + k);
    }
    return mean.result();
  }

  /**
   * A ceiling for any decoder that checks every byte: the CRC32 of every chunk of the K results, computed on the
   * chunks' own arrays (no copy), which the {@link #decode} path must do at the least.
   */
  @Benchmark
  public long crc32(AggregationBenchmark.Bytes bytes) throws java.io.IOException {
    bytes.gigabytes += gigabytesPerOperation;
    CrcOutput crc = new CrcOutput();
    long sum = 0;
    for (List<Frame> upload : uploads) {
      for (Frame f : upload) {
        if (f.hasChunk()) {
          crc.crc.reset();
          com.google.protobuf.UnsafeByteOperations.unsafeWriteTo(f.getChunk().getData(), crc);
          sum += crc.crc.getValue();
        }
      }
    }
    return sum;
  }

  /** Feeds the arrays behind a {@code ByteString} to a CRC32 without copying them. */
  private static final class CrcOutput extends com.google.protobuf.ByteOutput {
    final CRC32 crc = new CRC32();

    @Override
    public void write(byte value) {
      crc.update(value);
    }

    @Override
    public void write(byte[] value, int offset, int length) {
      crc.update(value, offset, length);
    }

    @Override
    public void writeLazy(byte[] value, int offset, int length) {
      crc.update(value, offset, length);
    }

    @Override
    public void write(java.nio.ByteBuffer value) {
      crc.update(value);
    }

    @Override
    public void writeLazy(java.nio.ByteBuffer value) {
      crc.update(value);
    }
  }

  /** The ceiling: copy every result's values into one model-sized array (reads and writes K × P × 4 bytes). */
  @Benchmark
  public float[][] arrayCopy(AggregationBenchmark.Bytes bytes) {
    bytes.gigabytes += gigabytesPerOperation;
    copy(0, decoded.length, copyTarget);
    return copyTarget;
  }

  /** The copy of {@link #arrayCopy} on two threads (each copies half of the results into a target of its own). */
  @Benchmark
  public float[][] arrayCopyTwoThreads(AggregationBenchmark.Bytes bytes) throws Exception {
    bytes.gigabytes += gigabytesPerOperation;
    int half = decoded.length / 2;
    Future<?> other = decoders.submit(() -> copy(half, decoded.length, secondCopyTarget));
    copy(0, half, copyTarget);
    other.get();
    return copyTarget;
  }

  private void copy(int from, int to, float[][] target) {
    for (int k = from; k < to; k++) {
      for (int t = 0; t < TENSORS; t++) {
        decoded[k].get(t).copyTo(target[t], 0);
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    decoders.shutdownNow();
  }

  private ModelWeights foldAll() {
    return foldAll(uploads, WholeStepBenchmark::decodeCopied);
  }

  private ModelWeights foldAllLent() {
    return foldAll(directUploads, WholeStepBenchmark::decodeLent);
  }

  private ModelWeights foldAll(List<List<Frame>> frames, Function<List<Frame>, Lent> decoder) {
    WeightedMean mean = new WeightedMean(specs);
    for (List<Frame> upload : frames) {
      fold(mean, decoder.apply(upload));
    }
    return mean.result();
  }

  /** The check a server makes of every result before its strategy folds it (names, shapes, no NaN or infinity). */
  private void check(TrainResult r) {
    UpdateValidator.problem(specs, r.weights()).ifPresent(p -> {
      throw new IllegalStateException(p);
    });
  }

  private float[][] foldChunks() {
    int[] sizes = specs.stream().mapToInt(TensorSpec::size).toArray();
    ChunkFoldPrototype mean = new ChunkFoldPrototype(sizes, Protocol.DEFAULT_CHUNK_BYTES);
    for (List<Frame> upload : uploads) {
      long[] crcs = mean.fold(upload);
      Frame end = upload.get(upload.size() - 1);
      for (int t = 0; t < crcs.length; t++) {
        if ((int) crcs[t] != end.getEnd().getCrc32(t)) {
          throw new IllegalStateException("array " + t + " failed its CRC32 check");
        }
      }
    }
    return mean.result();
  }

  /**
   * What a server does to send the new model: the message's header and one CRC pass over the arrays
   * ({@link MessageEncoder#checksums}). Its chunks are drawn from the tensors into gRPC's buffers as they go out, the
   * copy into the transport that was made anyway (before 2026-12-02 a server first encoded them into arrays of their
   * own, which {@code -Dw2.encode=arrays} still measures).
   */
  private void encode(ModelWeights model, Blackhole bh) {
    Message next = MessageTypes.train(new TrainInstructions(model, Config.of("round", 2)))
        .withMetadata(Metadata.none().withIds(1, 0));
    if (ENCODE_INTO_ARRAYS) {
      Iterator<Frame> frames = encoder.encode(next);
      while (frames.hasNext()) {
        bh.consume(frames.next());
      }
      return;
    }
    try (MessageEncoder.MessageFrames frames = encoder.encode(next)) {
      bh.consume(frames.next()); // the header; chunks are made only when taken
    }
    bh.consume(MessageEncoder.checksums(model));
  }

  private static final boolean ENCODE_INTO_ARRAYS = "arrays".equals(System.getProperty("w2.encode"));

  /** A result, and the loan of its arrays if they are lent (else null). */
  private record Lent(TrainResult result, BufferLoan loan) {}

  private static Lent decodeCopied(List<Frame> frames) {
    return new Lent(decode(frames), null);
  }

  private static Lent decodeLent(List<Frame> frames) {
    MessageAssembler assembler = new MessageAssembler(HeaderPolicy.maxMessageBytes(Long.MAX_VALUE), true, h -> true);
    for (Frame f : frames) {
      Optional<Message> done = assembler.accept(f);
      if (done.isPresent()) {
        return new Lent(MessageTypes.toTrainResult(done.get()), assembler.takeLoan());
      }
    }
    throw new IllegalStateException("the frames did not end the message");
  }

  /** {@code frames} with each chunk's bytes copied into a direct buffer, as a transport that lends them has them. */
  private static List<Frame> inDirectBuffers(List<Frame> frames) {
    List<Frame> out = new ArrayList<>(frames.size());
    for (Frame f : frames) {
      if (!f.hasChunk()) {
        out.add(f);
        continue;
      }
      ByteBuffer direct = ByteBuffer.allocateDirect(f.getChunk().getData().size());
      f.getChunk().getData().copyTo(direct);
      direct.flip();
      out.add(f.toBuilder().setChunk(f.getChunk().toBuilder().setData(UnsafeByteOperations.unsafeWrap(direct)))
          .build());
    }
    return out;
  }

  private static TrainResult decode(List<Frame> frames) {
    MessageAssembler assembler = new MessageAssembler();
    for (Frame f : frames) {
      Optional<Message> done = assembler.accept(f);
      if (done.isPresent()) {
        return MessageTypes.toTrainResult(done.get());
      }
    }
    throw new IllegalStateException("the frames did not end the message");
  }
}
