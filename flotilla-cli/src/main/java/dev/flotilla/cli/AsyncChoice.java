package dev.flotilla.cli;

import dev.flotilla.workflow.AsyncSettings;
import dev.flotilla.workflow.Staleness;
import java.time.Duration;
import java.util.Objects;

/**
 * The options of {@code --workflow async}, shared by {@code server} and {@code simulate}: how many clients train at
 * once, how many results make a model version, and how stale results are weighted and bounded.
 *
 * @param concurrency  clients training at once ({@code --concurrency})
 * @param bufferSize   results per model version ({@code --buffer})
 * @param staleness    weight of a result by its staleness ({@code --staleness})
 * @param maxStaleness results more versions old than this are refused ({@code --max-staleness})
 */
record AsyncChoice(int concurrency, int bufferSize, Staleness staleness, int maxStaleness) {
  AsyncChoice {
    if (concurrency < 1) {
      throw new IllegalArgumentException("--concurrency must be >= 1, got " + concurrency);
    }
    if (bufferSize < 1) {
      throw new IllegalArgumentException("--buffer must be >= 1, got " + bufferSize);
    }
    Objects.requireNonNull(staleness, "staleness");
    if (maxStaleness < 0) {
      throw new IllegalArgumentException("--max-staleness must be >= 0, got " + maxStaleness);
    }
  }

  /** The workflow's settings for {@code versions} versions. */
  AsyncSettings settings(int versions, int minClients, Duration taskTimeout, long seed, boolean evaluateInitial) {
    return AsyncSettings.builder().versions(versions).concurrency(concurrency).bufferSize(bufferSize)
        .staleness(staleness).maxStaleness(maxStaleness).minClients(minClients).taskTimeout(taskTimeout).seed(seed)
        .evaluateInitial(evaluateInitial).build();
  }

  /**
   * How a stored run records this workflow, so that a resume with other settings is refused: {@code async} and the
   * options, such as {@code async --buffer 10 --concurrency 20 --staleness polynomial:0.5 --max-staleness 10}.
   */
  String storedSpec() {
    return "async --buffer " + bufferSize + " --concurrency " + concurrency + " --staleness " + staleness.spec()
        + " --max-staleness " + maxStaleness;
  }

  /** For titles and summaries, such as {@code FedBuff buffer 10, concurrency 20, polynomial:0.5, max staleness 10}. */
  String describe() {
    return "FedBuff buffer " + bufferSize + ", concurrency " + concurrency + ", " + staleness.spec()
        + ", max staleness " + maxStaleness;
  }
}
