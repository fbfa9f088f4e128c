package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.client.ClientSettings;
import dev.flotilla.client.FlotillaClient;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.djl.DjlClientApp;
import dev.flotilla.djl.data.FashionMnist;
import dev.flotilla.djl.data.LabelledImages;
import dev.flotilla.djl.model.Models;
import dev.flotilla.server.FlotillaServer;
import dev.flotilla.server.ServerSettings;
import dev.flotilla.workflow.RoundRecord;
import dev.flotilla.workflow.RunSummary;
import dev.flotilla.workflow.SyncSettings;
import dev.flotilla.workflow.io.MetricsLog;
import dev.flotilla.workflow.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A real federated run: a gRPC server on 127.0.0.1 and three DJL clients training on Fashion-MNIST. */
class FederatedRunTest {
  @TempDir
  Path out;

  @Test
  void threeClientsLearnFashionMnistOverLoopbackGrpc() throws Exception {
    LabelledImages train = FashionMnist.train().first(3000);
    LabelledImages test = FashionMnist.test().first(1000);
    TrainingOptions training = new TrainingOptions();
    new CommandLine(training).parseArgs("--model", "cnn");

    ExecutorService clientThreads = Executors.newFixedThreadPool(3);
    List<DjlClientApp> apps = new ArrayList<>();
    try (FlotillaServer server = FlotillaServer.start(ServerSettings.builder().host("127.0.0.1").port(0).build())) {
      List<Future<?>> clients = new ArrayList<>();
      for (int c = 0; c < 3; c++) {
        int[] idx = IntStream.range(c * 1000, (c + 1) * 1000).toArray();
        DjlClientApp app = new DjlClientApp("cnn", train.subset(idx), c);
        apps.add(app);
        ClientSettings settings = ClientSettings.builder("127.0.0.1:" + server.port(), "site-" + c)
            .properties(Config.of("num_examples", 1000)).build();
        clients.add(clientThreads.submit(() -> {
          try (FlotillaClient client = new FlotillaClient(settings, app)) {
            client.run();
          }
          return null;
        }));
      }
      Path testDir = writeTestSet(test);
      SyncSettings sync = SyncSettings.builder().rounds(3).minClients(3).minFitClients(3)
          .roundTimeout(Duration.ofSeconds(120)).seed(7).build();
      RunSummary summary = ServerRun.run(server, sync, StrategyChoice.fedAvg(), training.trainConfig(0.05, 0.9),
          Models.initialWeights(training.model, 7), 1.0, 3, 0.0, testDir, out);

      List<RoundRecord> records = summary.records();
      assertThat(records).extracting(RoundRecord::round).containsExactly(0, 1, 2, 3);
      assertThat(records.get(0).accuracy()).isLessThan(0.3);
      assertThat(records.get(3).accuracy()).isGreaterThan(0.6);
      assertThat(records.get(3).loss()).isLessThan(records.get(0).loss());
      assertThat(records.subList(1, 4)).allSatisfy(r -> {
        assertThat(r.clientsOk()).isEqualTo(3);
        assertThat(r.clientsFailed()).isZero();
        assertThat(r.bytesUp()).isEqualTo(3 * 4L * 582_026);
      });
      for (Future<?> f : clients) {
        f.get(30, TimeUnit.SECONDS); // every client returns once told the run is over
      }

      assertThat(Files.readAllLines(out.resolve(MetricsLog.FILE_NAME))).hasSize(4)
          .allSatisfy(line -> assertThat(line).contains("\"round\"", "\"accuracy\"", "\"loss\"", "\"clients_ok\"",
              "\"clients_failed\"", "\"seconds\"", "\"bytes_up\"", "\"bytes_down\""));
      ModelWeights saved = SafeTensors.read(out.resolve(dev.flotilla.workflow.io.RunOutput.MODEL_FILE));
      assertThat(saved.specs()).isEqualTo(Models.specs("cnn"));
      assertThat(saved.contentEquals(summary.finalModel())).isTrue();
      assertThat(out.resolve(dev.flotilla.workflow.io.RunOutput.CHART_FILE)).isNotEmptyFile();
    } finally {
      clientThreads.shutdownNow();
      apps.forEach(DjlClientApp::close);
    }
  }

  /** The first {@code test.size()} test images in the layout {@link FashionMnist#test(Path)} reads. */
  private Path writeTestSet(LabelledImages test) throws Exception {
    Path dir = Files.createDirectories(out.resolve("test-data"));
    dev.flotilla.djl.data.IdxWriter.write(dir.resolve("t10k-images-idx3-ubyte"), test.imagesIdx());
    dev.flotilla.djl.data.IdxWriter.write(dir.resolve("t10k-labels-idx1-ubyte"), test.labelsIdx());
    return dir;
  }
}
