package dev.flotilla.cli;

import dev.flotilla.workflow.Staleness;
import java.util.Locale;
import picocli.CommandLine.Option;

/** {@code --workflow} and the options of the asynchronous workflow, for {@code server} and {@code simulate}. */
final class AsyncOptionsMixin {
  @Option(names = "--workflow", defaultValue = "sync",
      description = "sync (rounds) or async (buffered asynchronous aggregation, FedBuff) (default: ${DEFAULT-VALUE}).")
  String workflow;

  @Option(names = "--buffer", paramLabel = "K", defaultValue = "10",
      description = "async: results folded into each model version (default: ${DEFAULT-VALUE}).")
  int buffer;

  @Option(names = "--concurrency", paramLabel = "C", defaultValue = "20",
      description = "async: clients kept training at once (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--staleness", defaultValue = "polynomial:0.5",
      description = "async: weight of a result by how many versions old it is: constant, polynomial:A or hinge:A:B"
          + " (default: ${DEFAULT-VALUE}).")
  String staleness;

  @Option(names = "--max-staleness", paramLabel = "S", defaultValue = "10",
      description = "async: results more than S versions old are refused and counted (default: ${DEFAULT-VALUE}).")
  int maxStaleness;

  /** The asynchronous options, or null for {@code --workflow sync}. */
  AsyncChoice choice() {
    switch (workflow.toLowerCase(Locale.ROOT)) {
      case "sync":
        return null;
      case "async":
        return new AsyncChoice(concurrency, buffer, Staleness.parse(staleness), maxStaleness);
      default:
        throw new IllegalArgumentException("unknown --workflow '" + workflow + "'; expected sync or async");
    }
  }
}
