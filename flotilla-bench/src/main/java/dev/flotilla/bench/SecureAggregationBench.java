package dev.flotilla.bench;

import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.client.ClientMod;
import dev.flotilla.core.client.ClientRuntime;
import dev.flotilla.core.client.Context;
import dev.flotilla.core.he.HeSettings;
import dev.flotilla.core.he.PaillierMod;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.secagg.SecAggMessages;
import dev.flotilla.core.secagg.SecAggPlusMod;
import dev.flotilla.core.secagg.SecAggSettings;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientFailureException;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.core.strategy.ClientResult;
import dev.flotilla.core.strategy.ClientTask;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.ResultStream;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.workflow.ClientProxy;
import dev.flotilla.workflow.Exchange;
import dev.flotilla.workflow.Fleet;
import dev.flotilla.workflow.Reply;
import dev.flotilla.workflow.SyncSettings;
import dev.flotilla.workflow.TrainStage;
import dev.flotilla.workflow.he.PaillierStage;
import dev.flotilla.workflow.secagg.SecAggPlusStage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Time and bytes of one round of secure aggregation, in one JVM: {@code n} clients whose app returns a fixed update at
 * once (so only the protocol is measured), answering on the workflow's thread one after another, so that the round's
 * wall time is the server's time plus the sum of the clients' times, each measured around its client's handling of
 * each request. Bytes are array bytes (what dominates the wire), per client, both ways, over all of a round's
 * exchanges. The baseline ("plain") is an ordinary round: each client receives and sends the float32 model and the
 * server folds the results with FedAvg.
 *
 * <pre>
 * java -cp flotilla-bench/target/benchmarks.jar dev.flotilla.bench.SecureAggregationBench secagg 10,50,100 100000,1000000
 * java -cp flotilla-bench/target/benchmarks.jar dev.flotilla.bench.SecureAggregationBench plain 10,50,100 100000,1000000
 * java -cp flotilla-bench/target/benchmarks.jar dev.flotilla.bench.SecureAggregationBench paillier 10 100000
 * </pre>
 * Each configuration runs {@code REPEATS} (default 2) rounds after one warm-up round; the table shows the mean.
 * {@code DROP=N} makes the last N clients drop after sharing their keys (SecAgg+ then reconstructs their mask keys
 * and removes their pairwise masks); client time is then the mean over the clients that delivered.
 */
public final class SecureAggregationBench {
  private SecureAggregationBench() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int repeats = Integer.parseInt(System.getenv().getOrDefault("REPEATS", "2"));
    System.out.println("| mode | clients | parameters | client s per round (mean) | server s per round | client MB down |"
        + " client MB up | server MB in |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    for (String c : args[1].split(",")) {
      for (String p : args[2].split(",")) {
        int clients = Integer.parseInt(c);
        int params = Integer.parseInt(p);
        Result sum = null;
        for (int r = 0; r <= repeats; r++) {
          Result one = round(mode, clients, params);
          if (r > 0) {
            sum = sum == null ? one : sum.plus(one);
          }
        }
        Result mean = sum.times(1.0 / repeats);
        System.out.printf(Locale.ROOT, "| %s | %d | %,d | %.3f | %.3f | %.2f | %.2f | %.1f |%n", mode, clients, params,
            mean.clientSeconds, mean.serverSeconds, mean.bytesDown / 1e6 / clients, mean.bytesUp / 1e6 / clients,
            mean.bytesUp / 1e6);
      }
    }
  }

  private record Result(double clientSeconds, double serverSeconds, double bytesDown, double bytesUp) {
    Result plus(Result o) {
      return new Result(clientSeconds + o.clientSeconds, serverSeconds + o.serverSeconds, bytesDown + o.bytesDown,
          bytesUp + o.bytesUp);
    }

    Result times(double f) {
      return new Result(clientSeconds * f, serverSeconds * f, bytesDown * f, bytesUp * f);
    }
  }

  private static Result round(String mode, int clients, int params) {
    float[] values = new float[params];
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < params; i++) {
      values[i] = (float) (random.nextDouble() - 0.5);
    }
    ModelWeights global = ModelWeights.of(Tensor.of("w", new int[] {params}, new float[params]));
    Message trained = MessageTypes.trainResult(new TrainResult(
        ModelWeights.of(Tensor.of("w", new int[] {params}, values)), 500, Metrics.empty()));
    ClientApp app = (m, ctx) -> trained;
    TimedFleet fleet = new TimedFleet();
    ClientMod mod = mode.equals("paillier") ? new PaillierMod() : new SecAggPlusMod();
    int drop = Integer.parseInt(System.getenv().getOrDefault("DROP", "0"));
    for (int k = 0; k < clients; k++) {
      fleet.add(String.format("c%03d", k), app, mod);
      if (k >= clients - drop) {
        fleet.dropping.add(String.format("c%03d", k)); // the last DROP clients drop after sharing their keys
      }
    }
    FedAvg fedAvg = new FedAvg();
    RoundContext ctx = new RoundContext(1, 1, 1);
    List<ClientTask<TrainInstructions>> tasks = fedAvg.configureTrain(ctx, global, fleet.clients());
    SyncSettings sync = SyncSettings.builder().roundTimeout(Duration.ofHours(1)).build();
    long start = System.nanoTime();
    if (mode.equals("plain")) {
      List<ClientResult<TrainResult>> results = new ArrayList<>();
      for (ClientTask<TrainInstructions> t : tasks) {
        Message reply = fleet.client(t.clientId()).orElseThrow().request(MessageTypes.train(t.instructions()))
            .join().message();
        results.add(new ClientResult<>(t.clientId(), MessageTypes.toTrainResult(reply)));
      }
      fedAvg.aggregateTrain(ctx, global, ResultStream.of(results, List.of()));
    } else {
      TrainStage stage = mode.equals("paillier")
          ? new PaillierStage(new HeSettings(2048, 16, 8.0, Math.max(2, clients), 1000, true), "c000")
          : new SecAggPlusStage(SecAggSettings.of(5, 3));
      TrainStage.Outcome out = stage.train(new Exchange(fleet), sync, ctx, fedAvg, global, tasks, () -> { });
      if (out.aggregate().model().isEmpty()) {
        throw new IllegalStateException("the round made no model");
      }
    }
    double wall = (System.nanoTime() - start) / 1e9;
    double clientTotal = fleet.clientNanos.values().stream().mapToLong(Long::longValue).sum() / 1e9;
    return new Result(clientTotal / (clients - drop), wall - clientTotal, fleet.bytesSent(), fleet.bytesReceived());
  }

  /** Clients answering on the caller's thread, each timed. */
  private static final class TimedFleet implements Fleet {
    private final Map<String, ClientRuntime> clients = new LinkedHashMap<>();
    final Map<String, Long> clientNanos = new ConcurrentHashMap<>();
    final java.util.Set<String> dropping = new java.util.HashSet<>();
    private long sent;
    private long received;

    void add(String id, ClientApp app, ClientMod mod) {
      clients.put(id, new ClientRuntime(app, List.of(mod), Context.of(id, Config.empty())));
    }

    @Override
    public List<ClientInfo> clients() {
      return clients.keySet().stream().map(id -> new ClientInfo(id, Config.empty())).toList();
    }

    @Override
    public Optional<ClientProxy> client(String id) {
      ClientRuntime runtime = clients.get(id);
      return Optional.ofNullable(runtime).map(rt -> new ClientProxy() {
        @Override
        public ClientInfo info() {
          return new ClientInfo(id, Config.empty());
        }

        @Override
        public boolean isConnected() {
          return true;
        }

        @Override
        public CompletableFuture<Reply> request(Message request) {
          if (dropping.contains(id) && request.type().equals(SecAggMessages.COLLECT_MASKED)) {
            return CompletableFuture.failedFuture(new ClientFailureException(ClientFailure.Kind.DISCONNECTED,
                "dropped after sharing its keys"));
          }
          long t0 = System.nanoTime();
          Message reply = rt.handle(request);
          clientNanos.merge(id, System.nanoTime() - t0, Long::sum);
          synchronized (TimedFleet.this) {
            sent += request.arrays().byteSize();
            received += reply.arrays().byteSize();
          }
          return CompletableFuture.completedFuture(new Reply(reply, () -> { }));
        }

        @Override
        public CompletableFuture<Void> send(Message message) {
          return CompletableFuture.completedFuture(null);
        }
      });
    }

    @Override
    public boolean awaitClients(int count, Duration timeout) {
      return true;
    }

    @Override
    public synchronized long bytesReceived() {
      return received;
    }

    @Override
    public synchronized long bytesSent() {
      return sent;
    }

    @Override
    public CompletableFuture<Void> finish() {
      return CompletableFuture.completedFuture(null);
    }
  }
}
