package dev.flotilla.sim;

import dev.flotilla.workflow.RoundRecord;
import dev.flotilla.workflow.io.RoundLine;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Shows a simulation on a console: a line per round (as {@code flotilla server} prints it) on {@code lines}, and,
 * when {@code bar} is not null, a progress bar over the whole run on {@code bar}, redrawn in place at most ten times
 * a second: {@code [##########..........]  50%  100/200 tasks  round 5/10  1m02s elapsed, 1m02s left}. The bar is
 * meant for a terminal; pass null when output goes to a file or a pipe.
 *
 * <p>Thread-safe.
 */
public final class ConsoleProgress implements SimulationProgress {
  private static final int WIDTH = 30;
  private static final long REDRAW_NANOS = 100_000_000;
  private final PrintStream lines;
  private final PrintStream bar;
  private long total;
  private long done;
  private int rounds;
  private int round;
  private long startNanos;
  private long lastDraw;
  private int drawnLength;

  /** Round lines to {@code lines}; the bar to {@code bar}, or no bar if it is null. */
  public ConsoleProgress(PrintStream lines, PrintStream bar) {
    this.lines = lines;
    this.bar = bar;
  }

  @Override
  public synchronized void started(long totalTasks, int rounds) {
    this.total = Math.max(1, totalTasks);
    this.rounds = rounds;
    this.startNanos = System.nanoTime();
    draw();
  }

  @Override
  public synchronized void taskDone() {
    done++;
    if (System.nanoTime() - lastDraw >= REDRAW_NANOS) {
      draw();
    }
  }

  @Override
  public synchronized void roundDone(RoundRecord record) {
    round = record.round();
    clear();
    lines.println(RoundLine.format(record, rounds));
    lines.flush();
    draw();
  }

  @Override
  public synchronized void finished() {
    if (bar != null) {
      draw();
      bar.println();
      bar.flush();
      drawnLength = 0;
    }
  }

  /** The bar's text for {@code done} of {@code total} tasks, in round {@code round} of {@code rounds}. */
  static String render(long done, long total, int round, int rounds, double elapsedSeconds) {
    double share = total == 0 ? 1 : Math.min(1, (double) done / total);
    int filled = (int) Math.round(share * WIDTH);
    String left = done == 0 ? "?" : duration(elapsedSeconds * Math.max(0, total - done) / done); // async may overshoot
    return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "]"
        + String.format(Locale.ROOT, " %3d%%  %d/%d tasks  round %d/%d  %s elapsed, %s left",
        (int) Math.floor(share * 100), done, total, round, rounds, duration(elapsedSeconds), left);
  }

  private void draw() {
    if (bar == null) {
      return;
    }
    lastDraw = System.nanoTime();
    String text = render(done, total, round, rounds, (lastDraw - startNanos) / 1e9);
    bar.print("\r" + text + " ".repeat(Math.max(0, drawnLength - text.length())));
    bar.flush();
    drawnLength = text.length();
  }

  private void clear() {
    if (bar != null && drawnLength > 0) {
      bar.print("\r" + " ".repeat(drawnLength) + "\r");
      bar.flush();
      drawnLength = 0;
    }
  }

  private static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
        : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
  }
}
