package dev.flotilla.cli;

import dev.flotilla.store.RunStore;
import dev.flotilla.store.StoredRun;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code flotilla runs}: the stored runs, most recent first, with their status and progress. */
@Command(name = "runs", mixinStandardHelpOptions = true,
    description = "List the runs stored in --state-dir (or --db): status, rounds completed, model, strategy.")
final class RunsCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
      .withZone(ZoneOffset.UTC);

  @Mixin
  StoreOptionsMixin store;

  @Override
  public Integer call() throws Exception {
    try (RunStore opened = StoredRuns.open(store)) {
      List<StoredRun> runs = opened.list();
      if (runs.isEmpty()) {
        System.out.println("no runs stored in " + StoredRuns.where(store));
        return 0;
      }
      String format = "%-28s %-9s %-9s %-8s %-11s %-20s %s%n";
      System.out.printf(format, "RUN", "STATUS", "ROUNDS", "MODEL", "KIND", "UPDATED (UTC)", "STRATEGY");
      for (StoredRun run : runs) {
        String rounds = (run.lastRound().isPresent() ? Integer.toString(run.lastRound().getAsInt()) : "-") + "/"
            + run.spec().rounds();
        System.out.printf(format, run.id(), run.status().name().toLowerCase(java.util.Locale.ROOT), rounds,
            run.spec().model(), run.spec().kind(), TIME.format(run.updatedAt()), run.spec().description()
                + (run.spec().isSync() ? "" : "; " + run.spec().workflow()));
      }
    }
    return 0;
  }
}
