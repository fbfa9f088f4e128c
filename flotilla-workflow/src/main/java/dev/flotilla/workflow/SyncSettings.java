package dev.flotilla.workflow;

import java.time.Duration;

/**
 * How {@link SyncWorkflow} runs. Build with {@link #builder()}.
 *
 * @param rounds          training rounds to run
 * @param minClients      clients that must be connected before each round starts (the workflow waits for them)
 * @param minFitClients   training results a round needs for its aggregate to become the new model; with fewer the
 *                        model is kept and the run goes on
 * @param roundTimeout    how long a phase (training, then federated evaluation) waits for results; a client that
 *                        has not answered by then counts as {@code TIMEOUT}
 * @param seed            seed of the run; each round's {@link dev.flotilla.core.strategy.RoundContext} derives its
 *                        randomness from it
 * @param evaluateInitial whether to evaluate the initial model before the first round (recorded as round 0)
 * @param maxConcurrentFit how many clients may be training at once: the others get their request as soon as one
 *                        begins to send its result (or fails) ({@link Integer#MAX_VALUE}: all at once). Clients that share cores, such as client
 *                        processes on the server's own host, train faster one group after another than all together
 */
public record SyncSettings(int rounds, int minClients, int minFitClients, Duration roundTimeout, long seed,
    boolean evaluateInitial, int maxConcurrentFit) {
  public SyncSettings {
    SettingChecks.atLeast("rounds", rounds, 0);
    SettingChecks.atLeast("minClients", minClients, 1);
    SettingChecks.atLeast("minFitClients", minFitClients, 1);
    SettingChecks.positive("roundTimeout", roundTimeout);
    SettingChecks.atLeast("maxConcurrentFit", maxConcurrentFit, 1);
  }

  /**
   * A builder with the defaults: 3 rounds, 1 client, 1 result per round, a 10 minute round timeout, seed 0, an
   * evaluation of the initial model, and no limit on how many clients train at once.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link SyncSettings}. */
  public static final class Builder {
    private int rounds = 3;
    private int minClients = 1;
    private int minFitClients = 1;
    private Duration roundTimeout = Duration.ofMinutes(10);
    private long seed;
    private boolean evaluateInitial = true;
    private int maxConcurrentFit = Integer.MAX_VALUE;

    private Builder() {}

    /** Sets {@link SyncSettings#rounds()}. */
    public Builder rounds(int rounds) {
      this.rounds = rounds;
      return this;
    }

    /** Sets {@link SyncSettings#minClients()}. */
    public Builder minClients(int minClients) {
      this.minClients = minClients;
      return this;
    }

    /** Sets {@link SyncSettings#minFitClients()}. */
    public Builder minFitClients(int minFitClients) {
      this.minFitClients = minFitClients;
      return this;
    }

    /** Sets {@link SyncSettings#roundTimeout()}. */
    public Builder roundTimeout(Duration roundTimeout) {
      this.roundTimeout = roundTimeout;
      return this;
    }

    /** Sets {@link SyncSettings#seed()}. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Sets {@link SyncSettings#evaluateInitial()}. */
    public Builder evaluateInitial(boolean evaluateInitial) {
      this.evaluateInitial = evaluateInitial;
      return this;
    }

    /** Sets {@link SyncSettings#maxConcurrentFit()}. */
    public Builder maxConcurrentFit(int maxConcurrentFit) {
      this.maxConcurrentFit = maxConcurrentFit;
      return this;
    }

    /** The settings; throws {@link IllegalArgumentException} naming a bad value. */
    public SyncSettings build() {
      return new SyncSettings(rounds, minClients, minFitClients, roundTimeout, seed, evaluateInitial, maxConcurrentFit);
    }
  }
}
