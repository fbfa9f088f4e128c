package dev.flotilla.bench;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.transport.MessageAssembler;
import dev.flotilla.transport.MessageEncoder;
import dev.flotilla.transport.Protocol;
import dev.flotilla.transport.proto.Frame;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Throughput of the transport's array codec: {@link MessageEncoder} turning a model into frames
 * ({@code MessageStart}, default-size (256 KiB) {@code Chunk}s with CRC32, {@code MessageEnd}) and
 * {@link MessageAssembler} turning those frames back into a model, for a model of P float32 parameters in 4 tensors of
 * equal size.
 *
 * <p>Only the codec is measured, not protobuf serialisation or gRPC: {@link #encode} draws every frame from the
 * encoder's iterator, {@link #decode} feeds a fresh assembler the frames encoded once at setup. Each operation moves
 * one whole model, so the primary score is models per second; the {@link Bytes#megabytes} secondary score is the
 * same rate in MB/s of array bytes (P × 4 bytes per operation, 1 MB = 10⁶ bytes), kept by a JMH
 * {@link AuxCounters} counter. {@link #crc32} and {@link #copy} are ceilings: a CRC32 of the same bytes, and a
 * little-endian copy of the floats into 1 MiB byte arrays.
 *
 * <p>Run: {@code java -jar flotilla-bench/target/benchmarks.jar CodecBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CodecBenchmark {
  private static final int TENSORS = 4;

  /** Number of float32 parameters in the model. */
  @Param({"1000000", "10000000"})
  public int parameters;

  private Message envelope;
  private List<Frame> frames;
  private MessageEncoder encoder;
  private byte[][] copyTarget;

  /** Counts the array bytes moved, reported by JMH as a rate: MB/s. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Bytes {
    /** Megabytes (10⁶ bytes) of array data encoded or decoded in this iteration. */
    public double megabytes;

    /** Starts each iteration from zero, as JMH expects of auxiliary counters. */
    @Setup(Level.Iteration)
    public void reset() {
      megabytes = 0;
    }
  }

  /** Builds the model (seeded standard normal values) and encodes it once for {@link #decode}. */
  @Setup(Level.Trial)
  public void setUp() {
    if (parameters % TENSORS != 0) {
      throw new IllegalArgumentException("parameters must be a multiple of " + TENSORS + ", got " + parameters);
    }
    SplittableRandom random = new SplittableRandom(42);
    List<Tensor> tensors = new ArrayList<>(TENSORS);
    for (int t = 0; t < TENSORS; t++) {
      float[] values = new float[parameters / TENSORS];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) gaussian(random);
      }
      tensors.add(Tensor.wrap(new TensorSpec("layer" + t + ".weight", new int[] {values.length}), values));
    }
    ModelWeights model = ModelWeights.of(tensors);
    Message train = new Message(MessageTypes.TRAIN, Config.of("round", 1), Metrics.empty(), model);
    envelope = train.withMetadata(train.metadata().withIds(1, 0));
    encoder = new MessageEncoder(Protocol.DEFAULT_CHUNK_BYTES);
    frames = new ArrayList<>();
    encoder.encode(envelope).forEachRemaining(frames::add);
    ModelWeights decoded = decodeOnce().arrays();
    if (!decoded.contentEquals(model)) {
      throw new IllegalStateException("the codec does not round-trip the model");
    }
    int chunks = (int) ((model.byteSize() + Protocol.DEFAULT_CHUNK_BYTES - 1) / Protocol.DEFAULT_CHUNK_BYTES);
    copyTarget = new byte[chunks][Protocol.DEFAULT_CHUNK_BYTES];
  }

  /** Encodes the model into frames; every frame is consumed so none can be optimised away. */
  @Benchmark
  public void encode(Bytes bytes, Blackhole bh) {
    Iterator<Frame> it = encoder.encode(envelope);
    while (it.hasNext()) {
      bh.consume(it.next());
    }
    bytes.megabytes += envelope.arrays().byteSize() / 1e6;
  }

  /** Decodes the pre-encoded frames into a model, with every check the assembler makes (CRC32 included). */
  @Benchmark
  public ModelWeights decode(Bytes bytes) {
    ModelWeights model = decodeOnce().arrays();
    bytes.megabytes += model.byteSize() / 1e6;
    return model;
  }

  /** Ceiling for both: CRC32 of every chunk's bytes, which encode and decode each compute once. */
  @Benchmark
  public long crc32(Bytes bytes) {
    long sum = 0;
    CRC32 crc = new CRC32();
    for (Frame f : frames) {
      if (f.hasChunk()) {
        crc.reset();
        crc.update(f.getChunk().getData().asReadOnlyByteBuffer());
        sum += crc.getValue();
      }
    }
    bytes.megabytes += envelope.arrays().byteSize() / 1e6;
    return sum;
  }

  /** Ceiling for encode: the floats written little-endian into preallocated 1 MiB byte arrays, no CRC, no frames. */
  @Benchmark
  public byte[][] copy(Bytes bytes) {
    ByteBuffer buf = null;
    int chunk = -1;
    for (Tensor t : envelope.arrays().tensors()) {
      int from = 0;
      while (from < t.size()) {
        if (buf == null || !buf.hasRemaining()) {
          buf = ByteBuffer.wrap(copyTarget[++chunk]).order(ByteOrder.LITTLE_ENDIAN);
        }
        int count = Math.min(t.size() - from, buf.remaining() >>> 2);
        t.writeLittleEndian(buf, from, count);
        from += count;
      }
    }
    bytes.megabytes += envelope.arrays().byteSize() / 1e6;
    return copyTarget;
  }

  private Message decodeOnce() {
    MessageAssembler assembler = new MessageAssembler();
    for (Frame f : frames) {
      Optional<Message> done = assembler.accept(f);
      if (done.isPresent()) {
        return done.get();
      }
    }
    throw new IllegalStateException("the frames did not end the message");
  }

  private static double gaussian(SplittableRandom random) {
    // Box-Muller: SplittableRandom has no nextGaussian in Java 17.
    double u = 1.0 - random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }
}
