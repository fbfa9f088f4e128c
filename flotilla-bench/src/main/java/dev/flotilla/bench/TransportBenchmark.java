package dev.flotilla.bench;

import dev.flotilla.client.ClientSettings;
import dev.flotilla.client.FlotillaClient;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.server.FlotillaServer;
import dev.flotilla.server.ConnectionLimits;
import dev.flotilla.server.ServerSettings;
import dev.flotilla.transport.Protocol;
import dev.flotilla.workflow.ClientProxy;
import dev.flotilla.workflow.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A model crossing loopback gRPC between two processes, in each direction, with the CPU time both processes spend on
 * it: the transport's throughput goal. {@code bench/transport.sh} starts both sides.
 *
 * <pre>{@code
 * java -cp benchmarks.jar dev.flotilla.bench.TransportBenchmark server --port-file F [--gib 1] [--tensors 4]
 *     [--reps 3] [--warmup 1] [--chunk-kib K] [--window-kib W] [--threads true]
 * java -cp benchmarks.jar dev.flotilla.bench.TransportBenchmark client --target 127.0.0.1:PORT [--chunk-kib K]
 *     [--window-kib W]
 * }</pre>
 *
 * <p>The server listens on 127.0.0.1 (a free port, written to the port file), waits for one client and builds a
 * float32 model of {@code gib} GiB ({@link ProbeModel}); the client builds one of the same size to send back. Each
 * repetition has two phases, timed by the server: <b>down</b>, a request carrying the model whose reply is an empty
 * acknowledgement sent once the client holds the decoded model (it spot-checks it first); <b>up</b>, an empty request
 * whose reply carries the client's model, complete when the server has decoded it all. Each phase reports MB/s
 * (10⁶ bytes) of array bytes and the CPU time that each process spent during it, read with
 * {@link ProcessHandle.Info#totalCpuDuration()} (all threads: gRPC, GC, JIT). The last lines give the medians of the
 * measured repetitions (warm-ups excluded) and the peak RSS ({@code VmHWM}) of both processes. With
 * {@code --threads true} each phase also lists both processes' minor page faults and CPU per thread group
 * ({@link ThreadCpu}). The server checks every upload with {@link ProbeModel#spotCheck}, outside the timing, and exits
 * with status 1 if one fails.
 */
public final class TransportBenchmark {
  private static final long DOWN_SEED = 11;
  private static final long UP_SEED = 22;

  private TransportBenchmark() {}

  /** Runs one side; see the class comment for the arguments. */
  public static void main(String[] args) throws Exception {
    if (args.length == 0 || !(args[0].equals("server") || args[0].equals("client"))) {
      System.err.println("usage: TransportBenchmark server|client [--option value]... (see the class comment)");
      System.exit(2);
    }
    Map<String, String> options = options(args);
    int chunkBytes = options.containsKey("chunk-kib")
        ? Protocol.checkChunkBytes(Integer.parseInt(options.get("chunk-kib")) * 1024) : Protocol.DEFAULT_CHUNK_BYTES;
    int windowBytes = Protocol.checkFlowControlWindow(options.containsKey("window-kib")
        ? Integer.parseInt(options.get("window-kib")) * 1024 : Protocol.DEFAULT_FLOW_CONTROL_WINDOW_BYTES);
    if (args[0].equals("server")) {
      System.exit(serve(options, chunkBytes, windowBytes) ? 0 : 1);
    }
    String target = required(options, "target");
    ClientSettings settings = ClientSettings.builder(target, "transport-bench")
        .properties(Config.of("pid", ProcessHandle.current().pid()))
        .chunkBytes(chunkBytes)
        .flowControlWindowBytes(windowBytes)
        .reconnect(Duration.ofMillis(100), Duration.ofSeconds(1))
        .build();
    try (FlotillaClient client = new FlotillaClient(settings, new EchoApp()::handle)) {
      client.run();
    }
  }

  private static boolean serve(Map<String, String> options, int chunkBytes, int windowBytes) throws Exception {
    double gib = Double.parseDouble(options.getOrDefault("gib", "1"));
    int tensors = Integer.parseInt(options.getOrDefault("tensors", "4"));
    int reps = Integer.parseInt(options.getOrDefault("reps", "3"));
    int warmup = Integer.parseInt(options.getOrDefault("warmup", "1"));
    int elements = (int) Math.min(Integer.MAX_VALUE - 8, (long) (gib * (1L << 30) / 4 / tensors));
    Config shape = Config.of("tensors", tensors, "elements", elements);
    long modelBytes = 4L * tensors * elements;
    // Uploads of the whole model must be admitted: the default limits stop at 256 MiB per message.
    ConnectionLimits limits = ConnectionLimits.defaults()
        .withMaxInflightBytes(Math.max(ConnectionLimits.DEFAULT_MAX_INFLIGHT_BYTES, 2 * modelBytes))
        .withMaxMessageBytes(Math.max(ConnectionLimits.DEFAULT_MAX_MESSAGE_BYTES, modelBytes));
    ServerSettings settings = ServerSettings.builder().host("127.0.0.1").port(0).chunkBytes(chunkBytes)
        .flowControlWindowBytes(windowBytes).limits(limits).build();
    try (FlotillaServer server = FlotillaServer.start(settings)) {
      Files.writeString(Path.of(required(options, "port-file")), Integer.toString(server.port()));
      if (!server.registry().awaitClients(1, Duration.ofMinutes(2))) {
        System.out.println("FAILED: no client connected within 2 minutes");
        return false;
      }
      ClientProxy client = server.registry().client("transport-bench").orElseThrow();
      ProcessHandle clientProcess = ProcessHandle.of(client.info().properties().getLong("pid", -1)).orElseThrow();
      ModelWeights model = ProbeModel.build(DOWN_SEED, tensors, elements);
      call(client, Message.of("bench.prepare").withConfig(shape)).close();
      System.out.printf(Locale.ROOT, "model: %d tensors of %d float32 = %,d bytes; chunks of %d KiB, window %d KiB;"
          + " server pid %d, client pid %d; %d cores%n", tensors, elements, model.byteSize(), chunkBytes >> 10,
          windowBytes >> 10,
          ProcessHandle.current().pid(), clientProcess.pid(), Runtime.getRuntime().availableProcessors());
      List<Phase> downs = new ArrayList<>();
      List<Phase> ups = new ArrayList<>();
      boolean ok = true;
      boolean threads = Boolean.parseBoolean(options.getOrDefault("threads", "false"));
      long serverPid = ProcessHandle.current().pid();
      for (int rep = 1 - warmup; rep <= reps; rep++) {
        String label = rep <= 0 ? "warm-up" : "rep " + rep;
        ThreadCpu server0 = ThreadCpu.of(serverPid);
        ThreadCpu client0 = ThreadCpu.of(clientProcess.pid());
        Phase down = Phase.start(clientProcess);
        call(client, Message.of("bench.down").withConfig(shape).withArrays(model)).close();
        down = down.end(model.byteSize());
        ThreadCpu server1 = ThreadCpu.of(serverPid);
        ThreadCpu client1 = ThreadCpu.of(clientProcess.pid());
        Phase up = Phase.start(clientProcess);
        Message upload;
        try (Reply r = client.request(Message.of("bench.up")).get(10, TimeUnit.MINUTES)) {
          up = up.end(r.message().arrays().byteSize());
          upload = r.message();
        }
        String bad = upload.isError() ? upload.error().reason()
            : ProbeModel.spotCheck(upload.arrays(), UP_SEED, tensors, elements);
        System.out.printf(Locale.ROOT, "%-8s down %s%n%-8s up   %s%s%n", label, down, "", up,
            bad == null ? "" : "  FAILED check: " + bad);
        if (threads) {
          ThreadCpu server2 = ThreadCpu.of(serverPid);
          ThreadCpu client2 = ThreadCpu.of(clientProcess.pid());
          System.out.printf(Locale.ROOT, "  down server: %s%n  down client: %s%n  up   server: %s%n  up   client: %s%n",
              server1.since(server0), client1.since(client0), server2.since(server1), client2.since(client1));
        }
        ok &= bad == null;
        if (rep > 0) {
          downs.add(down);
          ups.add(up);
        }
      }
      System.out.printf(Locale.ROOT, "median   down %s%nmedian   up   %s%n", Phase.median(downs), Phase.median(ups));
      System.out.printf(Locale.ROOT, "peak RSS: server %.2f GiB, client %.2f GiB%n",
          HeapWatch.peakResidentBytes() / (double) (1L << 30),
          HeapWatch.statusBytes(String.valueOf(clientProcess.pid()), "VmHWM") / (double) (1L << 30));
      server.registry().finish().get(1, TimeUnit.MINUTES);
      return ok;
    }
  }

  private static Reply call(ClientProxy client, Message request) throws Exception {
    Reply reply = client.request(request).get(10, TimeUnit.MINUTES);
    if (reply.message().isError()) {
      reply.close();
      throw new IllegalStateException("the client answered '" + request.type() + "' with an error: "
          + reply.message().error().reason());
    }
    return reply;
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 1; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --option value, got '" + args[i] + "'");
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    return options;
  }

  private static String required(Map<String, String> options, String name) {
    String v = options.get(name);
    if (v == null) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return v;
  }

  /** The client side: acknowledges the model it is sent, sends back one it built beforehand. */
  private static final class EchoApp {
    private ModelWeights upload = ModelWeights.empty();

    Message handle(Message request, dev.flotilla.core.client.Context context) {
      int tensors = request.config().getInt("tensors", 0);
      int elements = request.config().getInt("elements", 0);
      return switch (request.type()) {
        case "bench.prepare" -> {
          upload = ModelWeights.empty(); // let the old one go before building the next
          upload = ProbeModel.build(UP_SEED, tensors, elements);
          yield Message.of("bench.ready");
        }
        case "bench.down" -> {
          String bad = ProbeModel.spotCheck(request.arrays(), DOWN_SEED, tensors, elements);
          yield bad == null ? Message.of("bench.ack") : Message.error(MessageError.Code.BAD_REQUEST, bad);
        }
        case "bench.up" -> Message.of("bench.model").withArrays(upload);
        default -> Message.error(MessageError.Code.UNSUPPORTED_TYPE, request.type());
      };
    }
  }
}
