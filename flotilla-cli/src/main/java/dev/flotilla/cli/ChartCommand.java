package dev.flotilla.cli;

import dev.flotilla.workflow.io.ComparisonChart;
import dev.flotilla.workflow.io.MetricsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code flotilla chart}: compares runs in one PNG, from their {@code metrics.jsonl}: a metric per round, one line per
 * run, or with {@code --final} the last value per run as grouped bars (with {@code --spread} as error bars).
 */
@Command(name = "chart", mixinStandardHelpOptions = true,
    description = "Compare runs in one chart: a metric per round, one line per run, or its final value as bars.")
final class ChartCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, description = "The PNG file to write.")
  Path out;

  @Option(names = "--title", defaultValue = "", description = "Chart title.")
  String title;

  @Option(names = "--metric", defaultValue = "accuracy",
      description = "Key of metrics.jsonl to draw (default: ${DEFAULT-VALUE}).")
  String metric;

  @Option(names = "--x", defaultValue = "round",
      description = "Key of metrics.jsonl on the horizontal axis of a line chart, such as sim_seconds"
          + " (default: ${DEFAULT-VALUE}).")
  String xKey;

  @Option(names = "--final", description = "Draw the last value of each run as bars instead of lines per round.")
  boolean bars;

  @Option(names = "--spread", description = "With --final: a key whose last value is drawn as an error bar, such as"
      + " fed_accuracy_std.")
  String spread;

  @Parameters(arity = "1..*", paramLabel = "RUN",
      description = "[GROUP/]LABEL=PATH: a run's label (and, for --final, its group of bars) and its output folder"
          + " or metrics.jsonl.")
  List<String> runs;

  @Override
  public Integer call() throws Exception {
    List<ComparisonChart.Run> parsed = new ArrayList<>();
    for (String spec : runs) {
      int eq = spec.indexOf('=');
      if (eq <= 0 || eq == spec.length() - 1) {
        throw new IllegalArgumentException("run '" + spec + "' is not [GROUP/]LABEL=PATH");
      }
      String name = spec.substring(0, eq);
      int slash = name.indexOf('/');
      String group = slash < 0 ? "" : name.substring(0, slash);
      String label = slash < 0 ? name : name.substring(slash + 1);
      parsed.add(new ComparisonChart.Run(group, label, MetricsFile.read(Path.of(spec.substring(eq + 1)))));
    }
    if (bars) {
      ComparisonChart.bars(out, title, metric, spread, parsed);
    } else {
      if (spread != null) {
        throw new IllegalArgumentException("--spread needs --final");
      }
      ComparisonChart.lines(out, title, xKey, metric, parsed);
    }
    System.out.println("wrote " + out);
    return 0;
  }
}
