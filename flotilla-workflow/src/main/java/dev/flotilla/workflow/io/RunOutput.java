package dev.flotilla.workflow.io;

import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.workflow.RoundRecord;
import dev.flotilla.workflow.io.MetricsLog;
import dev.flotilla.workflow.io.SafeTensors;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The files of a run's output folder, written as the run goes: after every round a line of {@value
 * MetricsLog#FILE_NAME} (the keys of a deployed run) and the global model as {@value #MODEL_FILE} (replaced
 * atomically, so it always holds the latest complete model), and at the end the chart {@value #CHART_FILE}. Usable
 * as the {@link dev.flotilla.workflow.RoundListener} of any run, simulated or deployed.
 *
 * <p>Not thread-safe: one run's thread writes it.
 */
public final class RunOutput implements Closeable {
  /** The model file, in safetensors format. */
  public static final String MODEL_FILE = "model.safetensors";
  /** The chart of accuracy and loss per round. */
  public static final String CHART_FILE = "accuracy.png";

  private final Path dir;
  private final String model;
  private final MetricsLog metrics;
  private final List<RoundRecord> records = new ArrayList<>();

  private RunOutput(Path dir, String model, MetricsLog metrics) {
    this.dir = dir;
    this.model = model;
    this.metrics = metrics;
  }

  /**
   * Starts the output of a run of model {@code model} in {@code dir} (created if missing), replacing the metrics of
   * an earlier run there.
   *
   * @throws IOException if the folder or the metrics file cannot be created
   */
  public static RunOutput create(Path dir, String model) throws IOException {
    Files.createDirectories(dir);
    return new RunOutput(dir, model, MetricsLog.create(dir));
  }

  /** The output folder. */
  public Path dir() {
    return dir;
  }

  /**
   * Appends {@code record} to the metrics and saves {@code weights}, the global model after that round, with the
   * model name and round as metadata.
   *
   * @throws UncheckedIOException if a file cannot be written (which ends the run)
   */
  public void round(RoundRecord record, ModelWeights weights) {
    try {
      metrics.append(record);
      SafeTensors.write(dir.resolve(MODEL_FILE), weights,
          Map.of("model", model, "round", Integer.toString(record.round())));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the output of round " + record.round() + " to " + dir, e);
    }
    records.add(record);
  }

  /**
   * Appends the metrics of rounds that an earlier part of the run finished (the history of a resumed run), so that
   * the metrics and the chart cover the whole run; no model is written.
   *
   * @throws UncheckedIOException if the metrics cannot be written
   */
  public void history(List<RoundRecord> earlier) {
    for (RoundRecord record : earlier) {
      try {
        metrics.append(record);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the metrics of round " + record.round() + " to " + dir, e);
      }
      records.add(record);
    }
  }

  /**
   * Draws the chart of the rounds written so far, titled {@code title}; nothing if no round had an evaluation.
   *
   * @throws IOException if the chart cannot be written
   */
  public void writeChart(String title) throws IOException {
    boolean evaluated = records.stream().anyMatch(r -> r.accuracy() != null || r.loss() != null
        || r.fedAccuracy() != null || r.fedLoss() != null);
    if (evaluated) {
      AccuracyChart.write(dir.resolve(CHART_FILE), records, title);
    }
  }

  /** Closes the metrics file. */
  @Override
  public void close() throws IOException {
    metrics.close();
  }
}
