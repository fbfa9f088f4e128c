package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.AggregateResult;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.core.strategy.ClientResult;
import dev.flotilla.core.strategy.ClientTask;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.ResultStream;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.djl.data.ClientDataFolder;
import dev.flotilla.djl.data.FashionMnist;
import dev.flotilla.djl.data.LabelledImages;
import dev.flotilla.djl.model.Models;
import dev.flotilla.server.FlotillaServer;
import dev.flotilla.server.ServerSettings;
import dev.flotilla.workflow.RoundRecord;
import dev.flotilla.workflow.RunSummary;
import dev.flotilla.workflow.SyncSettings;
import dev.flotilla.workflow.SyncWorkflow;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client processes started with {@code flotilla client}; one is killed (SIGKILL) in the middle of a round. The
 * round completes with the others and the run goes on.
 */
class ClientProcessKillTest {
  @TempDir
  Path dir;

  @Test
  void roundCompletesWithTheOthersWhenAClientProcessIsKilled() throws Exception {
    LabelledImages train = FashionMnist.train();
    // the victim holds far more data, so it is still training when it is killed
    int[] sizes = {300, 300, 20_000};
    List<Path> folders = new ArrayList<>();
    int from = 0;
    for (int c = 0; c < sizes.length; c++) {
      Path folder = dir.resolve("client-" + c);
      ClientDataFolder.write(folder, train.subset(IntStream.range(from, from + sizes[c]).toArray()));
      folders.add(folder);
      from += sizes[c];
    }

    List<Process> processes = new ArrayList<>();
    try (FlotillaServer server = FlotillaServer.start(ServerSettings.builder().host("127.0.0.1").port(0).build())) {
      for (Path folder : folders) {
        processes.add(startClient(server.port(), folder));
      }
      assertThat(server.registry().awaitClients(3, Duration.ofSeconds(60))).isTrue();

      SyncSettings sync = SyncSettings.builder().rounds(2).minClients(2).minFitClients(2)
          .roundTimeout(Duration.ofSeconds(60)).seed(1).evaluateInitial(false).build();
      FedAvg fedAvg = new FedAvg(FedAvg.Settings.builder()
          .trainConfig(Config.of("model", "cnn", "lr", 0.05, "batch_size", 32, "local_epochs", 1)).build());
      CompletableFuture<Void> smallOnesDone = new CompletableFuture<>();
      Strategy watched = new Strategy() {
        @Override
        public List<ClientTask<TrainInstructions>> configureTrain(RoundContext ctx, ModelWeights global,
            List<ClientInfo> available) {
          return fedAvg.configureTrain(ctx, global, available);
        }

        @Override
        public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global,
            ResultStream<TrainResult> results) {
          List<ClientResult<TrainResult>> seen = new ArrayList<>();
          ResultStream<TrainResult> counting = results.map(r -> {
            seen.add(r);
            if (seen.size() == 2) {
              smallOnesDone.complete(null);
            }
            return r;
          });
          return fedAvg.aggregateTrain(ctx, global, counting);
        }
      };
      CompletableFuture<RunSummary> run = CompletableFuture.supplyAsync(() -> {
        try {
          return new SyncWorkflow(server.registry(), sync).run(watched, Models.initialWeights("cnn", 1),
              (record, model) -> { });
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      // round 1 is under way: the small clients have delivered, the victim (40x their data) is still training
      smallOnesDone.get(60, TimeUnit.SECONDS);
      Process victim = processes.get(2);
      assertThat(victim.isAlive()).as("victim still training").isTrue();
      victim.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

      RunSummary summary = run.get(120, TimeUnit.SECONDS);
      List<RoundRecord> records = summary.records();
      assertThat(records).extracting(RoundRecord::round).containsExactly(1, 2);
      assertThat(records.get(0).clientsOk()).isEqualTo(2);
      assertThat(records.get(0).clientsFailed()).isEqualTo(1);
      assertThat(records.get(0).seconds()).as("the round did not wait for its timeout").isLessThan(30);
      assertThat(records.get(1).clientsOk()).isEqualTo(2);
      assertThat(summary.finalModel().contentEquals(Models.initialWeights("cnn", 1))).isFalse();
      for (int c = 0; c < 2; c++) {
        assertThat(processes.get(c).waitFor(30, TimeUnit.SECONDS)).as("client %d exits after the run", c).isTrue();
        assertThat(processes.get(c).exitValue()).isZero();
      }
    } finally {
      processes.forEach(Process::destroyForcibly);
    }
  }

  private static Process startClient(int port, Path folder) throws Exception {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String java = ProcessHandle.current().info().command().orElse("java");
    return new ProcessBuilder(java, "-Xmx512m", "-XX:+UseSerialGC", "-Dai.djl.offline=true", "-cp", classpath,
        Main.class.getName(), "client", "--server-address", "127.0.0.1:" + port, "--data-dir", folder.toString())
        .redirectErrorStream(true)
        .redirectOutput(folder.resolveSibling(folder.getFileName() + ".log").toFile())
        .start();
  }
}
