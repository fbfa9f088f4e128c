package dev.flotilla.cli;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.Sampling;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.strategy.StrategyState;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.dashboard.Dashboard;
import dev.flotilla.djl.data.FashionMnist;
import dev.flotilla.server.FlotillaServer;
import dev.flotilla.workflow.CheckpointListener;
import dev.flotilla.workflow.ResumePoint;
import dev.flotilla.workflow.AsyncWorkflow;
import dev.flotilla.workflow.RoundListener;
import dev.flotilla.workflow.RoundRecord;
import dev.flotilla.workflow.RunSummary;
import dev.flotilla.workflow.SyncSettings;
import dev.flotilla.workflow.SyncWorkflow;
import dev.flotilla.workflow.TrainStage;
import dev.flotilla.workflow.io.MetricsLog;
import dev.flotilla.workflow.io.RoundLine;
import dev.flotilla.workflow.io.RunOutput;
import dev.flotilla.workflow.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
    return run(server, sync, null, strategy, trainConfig, initial, fractionFit, minFitClients, fractionEvaluate,
        testData, out, RunPersistence.NONE, Dashboard.disabled(), null);
  }

  /** As above, each round's training run through {@code trainStage} (secure aggregation), or as usual if null. */
  static RunSummary run(FlotillaServer server, SyncSettings sync, StrategyChoice strategy, Config trainConfig,
      ModelWeights initial, double fractionFit, int minFitClients, double fractionEvaluate, Path testData, Path out,
      TrainStage trainStage) throws IOException, InterruptedException {
    return run(server, sync, null, strategy, trainConfig, initial, fractionFit, minFitClients, fractionEvaluate,
        testData, out, RunPersistence.NONE, Dashboard.disabled(), trainStage);
  }

  /**
   * As {@link #run(FlotillaServer, SyncSettings, StrategyChoice, Config, ModelWeights, double, int, double, Path,
   * Path)}, with {@code async} (or null) choosing the asynchronous workflow: {@code sync.rounds()} model versions, each
   * client's task bounded by {@code sync.roundTimeout()}, training starting once {@code sync.minClients()} are
   * connected.
   *
   * @throws IllegalArgumentException if the strategy cannot run asynchronously
   */
  static RunSummary run(FlotillaServer server, SyncSettings sync, AsyncChoice async, StrategyChoice strategy,
      Config trainConfig, ModelWeights initial, double fractionFit, int minFitClients, double fractionEvaluate,
      Path testData, Path out) throws IOException, InterruptedException {
    return run(server, sync, async, strategy, trainConfig, initial, fractionFit, minFitClients, fractionEvaluate,
        testData, out, RunPersistence.NONE, Dashboard.disabled(), null);
  }

  /**
   * Refuses a workflow that cannot run with {@code trainStage}: the asynchronous one ({@code async} not null) with
   * secure aggregation. Called before anything is started or stored.
   *
   * @throws IllegalArgumentException naming the combination
   */
  static void checkWorkflow(AsyncChoice async, TrainStage trainStage) {
    if (async != null && trainStage != null) {
      throw new IllegalArgumentException("--workflow async cannot run with secure aggregation (" + trainStage
          + "): masks and ciphertexts need a whole round's clients");
    }
  }

  /**
   * Refuses a strategy the asynchronous workflow cannot run ({@link AsyncWorkflow#checkSupported}), starting from
   * {@code initial}. Called before anything is stored.
   *
   * @throws IllegalArgumentException naming the strategy and why
   */
  static void checkAsyncStrategy(Strategy strategy, ModelWeights initial) {
    try {
      AsyncWorkflow.checkSupported(strategy, initial);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--workflow async cannot run this strategy: " + e.getMessage(), e);
    }
  }

  /**
   * {@link #checkAsyncStrategy(Strategy, ModelWeights)} for {@code strategy} as a server run builds it, when
   * {@code async} is not null (else nothing to check).
   *
   * @throws IllegalArgumentException naming the strategy and why
   */
  static void checkAsyncStrategy(AsyncChoice async, StrategyChoice strategy, ModelWeights initial) {
    if (async != null) {
      checkAsyncStrategy(strategy.build(FedAvg.Settings.builder().build()), initial);
    }
  }

  /**
   * The run, synchronous or ({@code async} not null) asynchronous, saved to a store after every round (model version)
   * and resumed from it when {@code persistence} was opened with {@code --resume}, and shown on
   * {@code dashboard}; each synchronous round's training run through {@code trainStage} (secure aggregation), or as
   * usual if it is null.
   *
   * @throws IllegalArgumentException if the strategy cannot run asynchronously, or an asynchronous run is to be
   *     securely aggregated
   */
  static RunSummary run(FlotillaServer server, SyncSettings sync, AsyncChoice async, StrategyChoice strategy,
      Config trainConfig, ModelWeights initial, double fractionFit, int minFitClients, double fractionEvaluate,
      Path testData, Path out, RunPersistence persistence, Dashboard dashboard, TrainStage trainStage)
      throws IOException, InterruptedException {
    checkWorkflow(async, trainStage);
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
      Optional<ResumePoint> from = persistence.resume(built);
      if (output != null && from.isPresent()) {
        // the output folder covers the whole run: the earlier rounds' metrics, and their model until a new one
        output.history(from.get().history());
        SafeTensors.write(out.resolve(RunOutput.MODEL_FILE), from.get().model(),
            Map.of("model", model, "round", Integer.toString(from.get().completedRound())));
      }
      dashboard.runStarted(server.registry(), strategy.describe() + ", " + model + ", " + sync.rounds() + " rounds",
          sync.rounds(), sync.minClients(), from.map(ResumePoint::history).orElse(List.of()));
      CheckpointListener listener = (RoundRecord record, ModelWeights global, StrategyState state) -> {
        persistence.save(record, global, state, server.registry().clients());
        dashboard.onRound(record, global);
        System.out.println(RoundLine.format(record, sync.rounds()));
        if (output != null) {
          output.round(record, global);
        }
      };
      SyncWorkflow workflow = new SyncWorkflow(server.registry(), sync, trainStage);
      Strategy observed = dashboard.observe(built);
      RunSummary summary;
      boolean completed = false;
      try {
        if (async != null) {
          checkAsyncStrategy(built, initial);
          System.out.println("asynchronous: " + async.describe() + "; rounds are model versions");
          AsyncWorkflow asyncWorkflow = new AsyncWorkflow(server.registry(), async.settings(sync.rounds(),
              sync.minClients(), sync.roundTimeout(), sync.seed(), sync.evaluateInitial()));
          // stored: every version checkpointed, a resume goes on after the last one (work in flight then is lost)
          summary = from.isPresent() ? asyncWorkflow.run(observed, from.get(), listener)
              : persistence.enabled() ? asyncWorkflow.run(observed, initial, listener)
              : asyncWorkflow.run(observed, initial, (RoundRecord record, ModelWeights global) ->
                  listener.onRound(record, global, StrategyState.empty()));
        } else {
          summary = from.isPresent() ? workflow.run(observed, from.get(), listener)
              : persistence.enabled() ? workflow.run(observed, initial, listener)
              : workflow.run(observed, initial, (RoundRecord record, ModelWeights global) ->
                  listener.onRound(record, global, StrategyState.empty()));
        }
        completed = true;
      } finally {
        persistence.ended(completed);
      }
      built.stopReason().ifPresent(reason -> System.out.println("stopped early: " + reason));
      dashboard.runFinished(built.stopReason());
      if (output != null) {
        output.writeChart(strategy.describe() + ", " + model + ", " + sync.rounds() + " rounds");
        System.out.println("wrote " + out.resolve(MetricsLog.FILE_NAME) + ", " + out.resolve(RunOutput.MODEL_FILE)
            + " and " + out.resolve(RunOutput.CHART_FILE));
      }
      return summary;
    }
  }
}
