package dev.flotilla.bench;

import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.client.ClientMod;
import dev.flotilla.core.he.HeSettings;
import dev.flotilla.core.he.PaillierMod;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.secagg.SecAggMessages;
import dev.flotilla.core.secagg.SecAggPlusMod;
import dev.flotilla.core.secagg.SecAggSettings;
import dev.flotilla.core.strategy.ClientResult;
import dev.flotilla.core.strategy.ClientTask;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.ResultStream;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.workflow.Exchange;
import dev.flotilla.workflow.LocalFleet;
import dev.flotilla.workflow.SyncSettings;
import dev.flotilla.workflow.TrainStage;
import dev.flotilla.workflow.he.PaillierStage;
import dev.flotilla.workflow.secagg.SecAggPlusStage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

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
    LocalFleet fleet = new LocalFleet();
    ClientMod mod = mode.equals("paillier") ? new PaillierMod() : new SecAggPlusMod();
    int drop = Integer.parseInt(System.getenv().getOrDefault("DROP", "0"));
    List<String> ids = new ArrayList<>();
    for (int k = 0; k < clients; k++) {
      ids.add(String.format("c%03d", k));
      fleet.add(ids.get(k), app, mod);
    }
    // the last DROP clients drop after sharing their keys
    Set<String> dropping = Set.copyOf(ids.subList(clients - drop, clients));
    fleet.drop((id, m) -> dropping.contains(id) && m.type().equals(SecAggMessages.COLLECT_MASKED));
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
    double clientTotal = ids.stream().mapToLong(id -> fleet.answerTime(id).toNanos()).sum() / 1e9;
    return new Result(clientTotal / (clients - drop), wall - clientTotal, fleet.bytesSent(), fleet.bytesReceived());
  }
}
