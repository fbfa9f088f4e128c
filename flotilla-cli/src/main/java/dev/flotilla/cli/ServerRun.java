package dev.flotilla.cli;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.Sampling;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.djl.DjlEvaluator;
import dev.flotilla.djl.data.FashionMnist;
import dev.flotilla.djl.model.Models;
import dev.flotilla.server.FlotillaServer;
import dev.flotilla.server.RoundRecord;
import dev.flotilla.server.io.MetricsLog;
import dev.flotilla.server.io.RoundLine;
import dev.flotilla.server.io.SafeTensors;
import dev.flotilla.server.workflow.RunSummary;
import dev.flotilla.server.workflow.SyncSettings;
import dev.flotilla.server.workflow.SyncWorkflow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * One federated run on an already started server: FedAvg with the CLI's options, central evaluation on
 * {@code testData} when given, a progress line per round, and {@code metrics.jsonl} plus {@code model.safetensors}
 * in {@code out} when given. Shared by {@code flotilla server} and {@code flotilla demo}.
 */
final class ServerRun {
  static final String MODEL_FILE = "model.safetensors";

  private ServerRun() {}

  /**
   * Runs to the end and returns the summary; the server stays open (the caller closes it).
   *
   * @param fractionEvaluate share of clients for federated evaluation each round (0 for none)
   */
  static RunSummary run(FlotillaServer server, SyncSettings sync, TrainingOptions training, Config trainConfig,
      double fractionFit,
      int minFitClients, double fractionEvaluate, Path testData, Path out) throws IOException, InterruptedException {
    ModelWeights initial = Models.initialWeights(training.model, sync.seed());
    FedAvg.Settings.Builder strategy = FedAvg.Settings.builder()
        .train(new Sampling(fractionFit, minFitClients))
        .trainConfig(trainConfig)
        .evaluate(fractionEvaluate > 0 ? new Sampling(fractionEvaluate, 1) : new Sampling(0, 0))
        .evaluateConfig(Config.of("model", training.model));
    DjlEvaluator evaluator = testData == null ? null : new DjlEvaluator(training.model, FashionMnist.test(testData));
    if (evaluator != null) {
      strategy.centralEvaluator(evaluator);
    }
    MetricsLog metrics = null;
    if (out != null) {
      Files.createDirectories(out);
      metrics = MetricsLog.create(out);
    }
    MetricsLog log = metrics;
    try {
      System.out.printf("model %s (%,d parameters), %d rounds, waiting for %d clients on port %d%n",
          training.model, initial.numParameters(), sync.rounds(), sync.minClients(), server.port());
      RunSummary summary = new SyncWorkflow(server.registry(), sync).run(new FedAvg(strategy.build()), initial,
          (RoundRecord record, ModelWeights model) -> {
            System.out.println(RoundLine.format(record, sync.rounds()));
            if (log != null) {
              try {
                log.append(record);
                SafeTensors.write(out.resolve(MODEL_FILE), model,
                    Map.of("model", training.model, "round", Integer.toString(record.round())));
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }
          });
      if (out != null) {
        System.out.println("wrote " + out.resolve(MetricsLog.FILE_NAME) + " and " + out.resolve(MODEL_FILE));
      }
      return summary;
    } finally {
      if (metrics != null) {
        metrics.close();
      }
      if (evaluator != null) {
        evaluator.close();
      }
    }
  }
}
