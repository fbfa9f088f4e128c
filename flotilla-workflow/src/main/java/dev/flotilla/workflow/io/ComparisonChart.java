package dev.flotilla.workflow.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

/**
 * Charts that compare runs, from their {@code metrics.jsonl}: one line per run of a metric per round
 * ({@link #lines}), or the final value of a metric per run as grouped bars, optionally with error bars from a
 * spread metric such as {@code fed_accuracy_std} ({@link #bars}). Headless PNGs drawn with XChart. Stateless.
 */
public final class ComparisonChart {
  private static final int WIDTH = 1000;
  private static final int HEIGHT = 600;

  private ComparisonChart() {}

  /** One run in a chart: its label, the group it belongs to in a bar chart (or empty), and its lines. */
  public record Run(String group, String label, List<MetricsFile.Line> lines) {}

  /**
   * Draws {@code metric} per round, one line per run.
   *
   * @throws IllegalArgumentException if no run has the metric
   */
  public static void lines(Path file, String title, String metric, List<Run> runs) throws IOException {
    headless();
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("round")
        .yAxisTitle(metric).build();
    style(chart.getStyler());
    chart.getStyler().setXAxisDecimalPattern("0");
    int drawn = 0;
    for (Run run : runs) {
      List<Integer> rounds = new ArrayList<>();
      List<Double> values = new ArrayList<>();
      for (MetricsFile.Line line : run.lines()) {
        line.get(metric).ifPresent(v -> {
          rounds.add(line.round());
          values.add(v);
        });
      }
      if (!values.isEmpty()) {
        chart.addSeries(run.label(), rounds, values);
        drawn++;
      }
    }
    requireDrawn(drawn, metric);
    save(chart, file);
  }

  /**
   * Draws {@code metric} against another key of the lines, such as {@code sim_seconds} (time to accuracy), one line
   * per run; lines lacking either key are skipped.
   *
   * @throws IllegalArgumentException if no run has both keys
   */
  public static void lines(Path file, String title, String xKey, String metric, List<Run> runs) throws IOException {
    if (xKey.equals("round")) {
      lines(file, title, metric, runs);
      return;
    }
    headless();
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xKey)
        .yAxisTitle(metric).build();
    style(chart.getStyler());
    int drawn = 0;
    for (Run run : runs) {
      List<Double> xs = new ArrayList<>();
      List<Double> values = new ArrayList<>();
      for (MetricsFile.Line line : run.lines()) {
        if (line.get(xKey).isPresent() && line.get(metric).isPresent()) {
          xs.add(line.get(xKey).getAsDouble());
          values.add(line.get(metric).getAsDouble());
        }
      }
      if (!values.isEmpty()) {
        chart.addSeries(run.label(), xs, values);
        drawn++;
      }
    }
    requireDrawn(drawn, metric + " against " + xKey);
    save(chart, file);
  }

  /**
   * Draws the value of {@code metric} in the last line that has it, as bars: one group of bars per distinct
   * {@link Run#group()} (in order of first appearance), one bar colour per distinct label. With {@code spread}
   * (a metric name, or null) each bar gets an error bar of that metric's final value.
   *
   * @throws IllegalArgumentException if no run has the metric
   */
  public static void bars(Path file, String title, String metric, String spread, List<Run> runs) throws IOException {
    headless();
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).yAxisTitle(metric)
        .build();
    style(chart.getStyler());
    chart.getStyler().setYAxisDecimalPattern("0.00");
    Set<String> groups = new LinkedHashSet<>();
    Map<String, Map<String, double[]>> byLabel = new LinkedHashMap<>(); // label -> group -> {value, spread}
    for (Run run : runs) {
      Double value = last(run.lines(), metric);
      if (value == null) {
        continue;
      }
      Double err = spread == null ? null : last(run.lines(), spread);
      groups.add(run.group());
      byLabel.computeIfAbsent(run.label(), k -> new LinkedHashMap<>())
          .put(run.group(), new double[] {value, err == null ? 0 : err});
    }
    requireDrawn(byLabel.size(), metric);
    List<String> groupList = new ArrayList<>(groups);
    for (Map.Entry<String, Map<String, double[]>> e : byLabel.entrySet()) {
      List<Double> values = new ArrayList<>();
      List<Double> errors = new ArrayList<>();
      for (String g : groupList) {
        double[] v = e.getValue().get(g);
        values.add(v == null ? 0.0 : v[0]);
        errors.add(v == null ? 0.0 : v[1]);
      }
      if (spread == null) {
        chart.addSeries(e.getKey(), groupList, values);
      } else {
        chart.addSeries(e.getKey(), groupList, values, errors);
      }
    }
    save(chart, file);
  }

  private static Double last(List<MetricsFile.Line> lines, String metric) {
    Double value = null;
    for (MetricsFile.Line line : lines) {
      if (line.get(metric).isPresent()) {
        value = line.get(metric).getAsDouble();
      }
    }
    return value;
  }

  private static void style(Styler styler) {
    styler.setLegendPosition(Styler.LegendPosition.OutsideS);
    styler.setLegendLayout(Styler.LegendLayout.Horizontal);
  }

  private static void requireDrawn(int drawn, String metric) {
    if (drawn == 0) {
      throw new IllegalArgumentException("no run has the metric '" + metric + "' to draw");
    }
  }

  private static void headless() {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private static void save(Chart<?, ?> chart, Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
    }
  }
}
