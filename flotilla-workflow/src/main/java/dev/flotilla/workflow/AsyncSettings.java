package dev.flotilla.workflow;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link AsyncWorkflow} runs. Build with {@link #builder()}.
 *
 * @param versions        model versions to make (each applied buffer is one version, counted as a round in
 *                        {@code metrics.jsonl}, evaluation and charts)
 * @param concurrency     clients kept training at once ({@code C}): whenever one finishes, another idle client is
 *                        given work
 * @param bufferSize      accepted results folded into one model update ({@code K})
 * @param staleness       weight of a result by how many versions old it is
 * @param maxStaleness    results more than this many versions old are refused (and counted)
 * @param minClients      clients that must be connected before training starts
 * @param taskTimeout     how long one client's task may take; a client silent for longer counts as {@code TIMEOUT}
 * @param seed            seed of the choice of clients and of each version's {@code RoundContext}
 * @param evaluateInitial whether to evaluate the initial model first (recorded as round 0)
 */
public record AsyncSettings(int versions, int concurrency, int bufferSize, Staleness staleness, int maxStaleness,
    int minClients, Duration taskTimeout, long seed, boolean evaluateInitial) {
  public AsyncSettings {
    SettingChecks.atLeast("versions", versions, 0);
    SettingChecks.atLeast("concurrency", concurrency, 1);
    SettingChecks.atLeast("bufferSize", bufferSize, 1);
    Objects.requireNonNull(staleness, "staleness");
    SettingChecks.atLeast("maxStaleness", maxStaleness, 0);
    SettingChecks.atLeast("minClients", minClients, 1);
    SettingChecks.positive("taskTimeout", taskTimeout);
  }

  /**
   * A builder with the defaults: 10 versions, 10 clients training at once, a buffer of 10, constant staleness
   * weight, results up to 10 versions old, 1 client, a 10 minute task timeout, seed 0, and an evaluation of the
   * initial model.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link AsyncSettings}. */
  public static final class Builder {
    private int versions = 10;
    private int concurrency = 10;
    private int bufferSize = 10;
    private Staleness staleness = Staleness.constant();
    private int maxStaleness = 10;
    private int minClients = 1;
    private Duration taskTimeout = Duration.ofMinutes(10);
    private long seed;
    private boolean evaluateInitial = true;

    private Builder() {}

    /** Sets {@link AsyncSettings#versions()}. */
    public Builder versions(int versions) {
      this.versions = versions;
      return this;
    }

    /** Sets {@link AsyncSettings#concurrency()}. */
    public Builder concurrency(int concurrency) {
      this.concurrency = concurrency;
      return this;
    }

    /** Sets {@link AsyncSettings#bufferSize()}. */
    public Builder bufferSize(int bufferSize) {
      this.bufferSize = bufferSize;
      return this;
    }

    /** Sets {@link AsyncSettings#staleness()}. */
    public Builder staleness(Staleness staleness) {
      this.staleness = staleness;
      return this;
    }

    /** Sets {@link AsyncSettings#maxStaleness()}. */
    public Builder maxStaleness(int maxStaleness) {
      this.maxStaleness = maxStaleness;
      return this;
    }

    /** Sets {@link AsyncSettings#minClients()}. */
    public Builder minClients(int minClients) {
      this.minClients = minClients;
      return this;
    }

    /** Sets {@link AsyncSettings#taskTimeout()}. */
    public Builder taskTimeout(Duration taskTimeout) {
      this.taskTimeout = taskTimeout;
      return this;
    }

    /** Sets {@link AsyncSettings#seed()}. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Sets {@link AsyncSettings#evaluateInitial()}. */
    public Builder evaluateInitial(boolean evaluateInitial) {
      this.evaluateInitial = evaluateInitial;
      return this;
    }

    /** The settings; throws {@link IllegalArgumentException} naming a bad value. */
    public AsyncSettings build() {
      return new AsyncSettings(versions, concurrency, bufferSize, staleness, maxStaleness, minClients, taskTimeout,
          seed, evaluateInitial);
    }
  }
}
