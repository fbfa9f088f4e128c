package dev.flotilla.workflow.io;

import dev.flotilla.workflow.RoundRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

/**
 * Draws accuracy and loss per round as a PNG line chart with XChart: accuracy on the left axis (0 to 1), loss on the
 * right. Central evaluation is drawn when the run had it, federated evaluation too when it had that. Works without
 * a display (sets {@code java.awt.headless=true} unless the property is set). Stateless.
 */
public final class AccuracyChart {
  private static final int WIDTH = 900;
  private static final int HEIGHT = 540;

  private AccuracyChart() {}

  /**
   * Writes the chart of {@code records} to {@code file}, replacing it.
   *
   * @throws IllegalArgumentException if no record has an accuracy or a loss to draw
   * @throws IOException if the file cannot be written
   */
  public static void write(Path file, List<RoundRecord> records, String title) throws IOException {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle("round").yAxisTitle("accuracy").build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    chart.getStyler().setYAxisMin(0, 0.0).setYAxisMax(0, 1.0);
    chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
    chart.getStyler().setXAxisDecimalPattern("0");
    chart.setYAxisGroupTitle(1, "loss");
    int series = 0;
    series += add(chart, records, "accuracy", 0, RoundRecord::accuracy);
    series += add(chart, records, "loss", 1, RoundRecord::loss);
    series += add(chart, records, "fed accuracy", 0, RoundRecord::fedAccuracy);
    series += add(chart, records, "fed loss", 1, RoundRecord::fedLoss);
    if (series == 0) {
      throw new IllegalArgumentException("none of the " + records.size() + " rounds has an accuracy or loss to draw");
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
    }
  }

  private static int add(XYChart chart, List<RoundRecord> records, String name, int axis,
      Function<RoundRecord, Double> value) {
    List<Integer> rounds = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    for (RoundRecord r : records) {
      Double v = value.apply(r);
      if (v != null) {
        rounds.add(r.round());
        values.add(v);
      }
    }
    if (values.isEmpty()) {
      return 0;
    }
    XYSeries s = chart.addSeries(name, rounds, values);
    s.setYAxisGroup(axis);
    return 1;
  }
}
