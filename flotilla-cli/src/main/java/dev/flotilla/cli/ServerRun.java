package dev.flotilla.cli;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.Sampling;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.djl.data.FashionMnist;
import dev.flotilla.server.FlotillaServer;
import dev.flotilla.workflow.RoundRecord;
import dev.flotilla.workflow.RunSummary;
import dev.flotilla.workflow.SyncSettings;
import dev.flotilla.workflow.SyncWorkflow;
import dev.flotilla.workflow.TrainStage;
import dev.flotilla.workflow.io.MetricsLog;
import dev.flotilla.workflow.io.RoundLine;
import dev.flotilla.workflow.io.RunOutput;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One federated run on an already started server: the chosen strategy with the CLI's options, central evaluation on
 * {@code testData} when given, a progress line per round, and {@code metrics.jsonl}, {@code model.safetensors} and
 * {@code accuracy.png} in {@code out} when given. Shared by {@code flotilla server} and {@code flotilla demo}.
 */
final class ServerRun {
  private ServerRun() {}

  /**
   * Runs to the end and returns the summary; the server stays open (the caller closes it).
   *
   * @param strategy         the strategy, checked already
   * @param trainConfig      sent to every training client; its {@code model} key names the model
   * @param initial          the weights of round 1
   * @param fractionEvaluate share of clients for federated evaluation each round (0 for none)
   */
  static RunSummary run(FlotillaServer server, SyncSettings sync, StrategyChoice strategy, Config trainConfig,
      ModelWeights initial, double fractionFit, int minFitClients, double fractionEvaluate, Path testData, Path out)
      throws IOException, InterruptedException {
    return run(server, sync, strategy, trainConfig, initial, fractionFit, minFitClients, fractionEvaluate, testData,
        out, null);
  }

  /** As above, each round's training run through {@code trainStage} (secure aggregation), or as usual if null. */
  static RunSummary run(FlotillaServer server, SyncSettings sync, StrategyChoice strategy, Config trainConfig,
      ModelWeights initial, double fractionFit, int minFitClients, double fractionEvaluate, Path testData, Path out,
      TrainStage trainStage) throws IOException, InterruptedException {
    String model = trainConfig.getString("model", "cnn");
    FedAvg.Settings.Builder base = FedAvg.Settings.builder()
        .train(new Sampling(fractionFit, minFitClients))
        .trainConfig(trainConfig)
        .evaluate(fractionEvaluate > 0 ? new Sampling(fractionEvaluate, 1) : new Sampling(0, 0))
        .evaluateConfig(Config.of("model", model));
    // one evaluation thread per core: the last round's evaluation has the machine to itself, the others share it
    // with the next round's training
    try (ShardedEvaluator evaluator = testData == null ? null
            : ShardedEvaluator.djl(model, FashionMnist.test(testData), Runtime.getRuntime().availableProcessors());
        RunOutput output = out == null ? null : RunOutput.create(out, model)) {
      if (evaluator != null) {
        base.centralEvaluator(evaluator);
      }
      System.out.printf("model %s (%,d parameters), %s, %d rounds, waiting for %d clients on port %d%n",
          model, initial.numParameters(), strategy.describe() + (trainStage == null ? "" : ", " + trainStage),
          sync.rounds(), sync.minClients(), server.port());
      Strategy built = strategy.build(base.build());
      RunSummary summary = new SyncWorkflow(server.registry(), sync, trainStage).run(built, initial,
          (RoundRecord record, ModelWeights global) -> {
            System.out.println(RoundLine.format(record, sync.rounds()));
            if (output != null) {
              output.round(record, global);
            }
          });
      built.stopReason().ifPresent(reason -> System.out.println("stopped early: " + reason));
      if (output != null) {
        output.writeChart(strategy.describe() + ", " + model + ", " + sync.rounds() + " rounds");
        System.out.println("wrote " + out.resolve(MetricsLog.FILE_NAME) + ", " + out.resolve(RunOutput.MODEL_FILE)
            + " and " + out.resolve(RunOutput.CHART_FILE));
      }
      return summary;
    }
  }
}
