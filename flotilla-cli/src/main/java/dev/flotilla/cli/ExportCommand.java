package dev.flotilla.cli;

import dev.flotilla.store.Checkpoint;
import dev.flotilla.store.RunStore;
import dev.flotilla.store.StoredRun;
import dev.flotilla.workflow.RoundRecord;
import dev.flotilla.workflow.io.MetricsLog;
import dev.flotilla.workflow.io.RunOutput;
import dev.flotilla.workflow.io.SafeTensors;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code flotilla export}: a stored run's output folder, as a server with {@code --out} writes it: the metrics of every
 * completed round, the chart and the model of the last completed round.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Write a stored run's metrics.jsonl, accuracy.png and model.safetensors (its last completed round).")
final class ExportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "RUN", description = "The run's id, as `flotilla runs` lists it.")
  String runId;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write to (created if"
      + " missing; files of the same names are replaced).")
  Path out;

  @Mixin
  StoreOptionsMixin store;

  @Override
  public Integer call() throws Exception {
    try (RunStore opened = StoredRuns.open(store)) {
      StoredRun run = opened.find(runId).orElseThrow(() -> new IllegalArgumentException(
          "there is no run '" + runId + "' in " + StoredRuns.where(store) + "; `flotilla runs` lists them"));
      List<RoundRecord> rounds = opened.rounds(run.id());
      Checkpoint last = opened.lastCheckpoint(run.id()).orElseThrow(() -> new IllegalArgumentException(
          "run " + run.id() + " has completed no round yet: there is nothing to export"));
      try (RunOutput output = RunOutput.create(out, run.spec().model())) {
        output.history(rounds);
        SafeTensors.write(out.resolve(RunOutput.MODEL_FILE), last.model(),
            Map.of("model", run.spec().model(), "round", Integer.toString(last.round())));
        output.writeChart(run.spec().description() + ", " + run.spec().model() + ", " + run.spec().rounds()
            + " rounds");
      }
      System.out.printf("run %s (%s, %d of %d rounds): wrote %s, %s and %s%n", run.id(),
          run.status().name().toLowerCase(java.util.Locale.ROOT), last.round(), run.spec().rounds(),
          out.resolve(MetricsLog.FILE_NAME), out.resolve(RunOutput.CHART_FILE), out.resolve(RunOutput.MODEL_FILE));
    }
    return 0;
  }
}
