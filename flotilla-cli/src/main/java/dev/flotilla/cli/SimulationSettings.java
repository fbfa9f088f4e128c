package dev.flotilla.cli;

import dev.flotilla.core.attack.ByzantineAttack;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.partition.IidPartitioner;
import dev.flotilla.core.partition.Partitioner;
import dev.flotilla.core.strategy.StrategyOptions;
import dev.flotilla.djl.model.Models;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link Simulation} runs. Build with {@link #builder()}.
 *
 * @param model            model name, as {@code --model} ({@code cnn} or {@code mlp})
 * @param strategy         the strategy, its parameters and the layers that stay on the sites
 * @param clients          virtual clients registered (the training set is partitioned over all of them)
 * @param clientsPerRound  clients sampled to train each round, at most {@code clients}
 * @param rounds           training rounds
 * @param partitioner      how the training set is split over clients
 * @param seed             seed of the partition, the initial model and the sampling of every round
 * @param trainConfig      sent to every training client (keys of {@code TrainingConfig}: {@code lr},
 *                         {@code momentum}, {@code batch_size}, {@code local_epochs}, {@code proximal_mu},
 *                         {@code label_flip}); {@code round} is added
 * @param fractionEvaluate share of the clients that evaluate the global model on their local test share each round
 *                         (0 for none); each client's test share then has the label distribution of its training
 *                         share ({@code LocalTestSplit}, seed + 1), as {@code flotilla partition} writes it
 * @param workers          training threads, each with one intra-op thread; by default one per core
 * @param roundTimeout     how long a round waits for its clients, as on a server; in a simulation the sampled clients
 *                         take turns on the workers, so this must cover all of them, not one
 * @param out              folder for {@code metrics.jsonl}, the model, the chart and the summary; null for none
 * @param byzantine        how many clients attack and how (the first clients of the partition), or null for none
 * @param initialModel     a {@code model.safetensors} to start from, or null for fresh weights from the seed
 * @param async            the asynchronous workflow's options ({@code rounds} are then model versions), or null for
 *                         synchronous rounds
 * @param clientSpeed      how much slower than nominal each client computes on the simulated clock
 *                         ({@code ClientSpeeds}: {@code uniform}, {@code lognormal:SIGMA},
 *                         {@code stragglers:FRACTION:SLOWDOWN})
 */
record SimulationSettings(String model, StrategyChoice strategy, int clients, int clientsPerRound, int rounds,
    Partitioner partitioner, long seed, Config trainConfig, double fractionEvaluate, int workers,
    Duration roundTimeout, Path out, ByzantineAttack byzantine, Path initialModel, AsyncChoice async,
    String clientSpeed) {

  /** Validates every setting; the message names the bad value. */
  SimulationSettings {
    Models.network(model);
    Objects.requireNonNull(strategy, "strategy");
    if (clients < 1) {
      throw new IllegalArgumentException("clients must be >= 1, got " + clients);
    }
    if (clientsPerRound < 1 || clientsPerRound > clients) {
      throw new IllegalArgumentException(
          "clients per round must be in [1, " + clients + "] (the number of clients), got " + clientsPerRound);
    }
    if (rounds < 0) {
      throw new IllegalArgumentException("rounds must be >= 0, got " + rounds);
    }
    Objects.requireNonNull(partitioner, "partitioner");
    Objects.requireNonNull(trainConfig, "trainConfig");
    if (!(fractionEvaluate >= 0 && fractionEvaluate <= 1)) {
      throw new IllegalArgumentException("fraction evaluate must be in [0, 1], got " + fractionEvaluate);
    }
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be >= 1, got " + workers);
    }
    Objects.requireNonNull(roundTimeout, "roundTimeout");
    if (roundTimeout.isNegative() || roundTimeout.isZero()) {
      throw new IllegalArgumentException("round timeout must be positive, got " + roundTimeout);
    }
    if (byzantine != null && byzantine.count() > clients) {
      throw new IllegalArgumentException("--byzantine " + byzantine + " asks for more Byzantine clients than the "
          + clients + " there are");
    }
    strategy.validate(model, clientsPerRound);
    Objects.requireNonNull(clientSpeed, "clientSpeed");
    if (async != null && async.bufferSize() > clients) {
      throw new IllegalArgumentException("--buffer " + async.bufferSize() + " is more than the " + clients
          + " clients");
    }
  }

  /**
   * A builder with the defaults: model {@code cnn}, FedAvg, 100 clients, 10 per round, 10 rounds, IID, seed 42, the
   * training config of workload W1 (lr 0.01, no momentum, batch 32, one local epoch), no federated evaluation, one
   * worker per core, a one-hour round timeout and no output folder.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link SimulationSettings}. */
  public static final class Builder {
    private String model = "cnn";
    private StrategyChoice strategy = StrategyChoice.fedAvg();
    private ByzantineAttack byzantine;
    private Path initialModel;
    private int clients = 100;
    private int clientsPerRound = 10;
    private int rounds = 10;
    private Partitioner partitioner = new IidPartitioner();
    private long seed = 42;
    private Config trainConfig = Config.of("lr", 0.01, "momentum", 0.0, "batch_size", 32, "local_epochs", 1);
    private double fractionEvaluate;
    private int workers = Runtime.getRuntime().availableProcessors();
    private Duration roundTimeout = Duration.ofHours(1);
    private Path out;
    private AsyncChoice async;
    private String clientSpeed = "uniform";

    private Builder() {}

    /** Sets {@link SimulationSettings#async()}. */
    public Builder async(AsyncChoice async) {
      this.async = async;
      return this;
    }

    /** Sets {@link SimulationSettings#clientSpeed()}. */
    public Builder clientSpeed(String clientSpeed) {
      this.clientSpeed = clientSpeed;
      return this;
    }

    /** Sets {@link SimulationSettings#model()}. */
    public Builder model(String model) {
      this.model = model;
      return this;
    }

    /** Sets {@link SimulationSettings#strategy()}. */
    public Builder strategy(StrategyChoice strategy) {
      this.strategy = strategy;
      return this;
    }

    /** Sets {@link SimulationSettings#strategy()} to the strategy {@code name} with its default parameters. */
    public Builder strategy(String name) {
      return strategy(new StrategyChoice(name, StrategyOptions.defaults(), null));
    }

    /** Sets {@link SimulationSettings#initialModel()}. */
    public Builder initialModel(Path initialModel) {
      this.initialModel = initialModel;
      return this;
    }

    /** Sets {@link SimulationSettings#byzantine()}. */
    public Builder byzantine(ByzantineAttack byzantine) {
      this.byzantine = byzantine;
      return this;
    }

    /** Sets {@link SimulationSettings#clients()} and {@link SimulationSettings#clientsPerRound()}. */
    public Builder clients(int clients, int perRound) {
      this.clients = clients;
      this.clientsPerRound = perRound;
      return this;
    }

    /** Sets {@link SimulationSettings#rounds()}. */
    public Builder rounds(int rounds) {
      this.rounds = rounds;
      return this;
    }

    /** Sets {@link SimulationSettings#partitioner()}. */
    public Builder partitioner(Partitioner partitioner) {
      this.partitioner = partitioner;
      return this;
    }

    /** Sets {@link SimulationSettings#seed()}. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Sets {@link SimulationSettings#trainConfig()}. */
    public Builder trainConfig(Config trainConfig) {
      this.trainConfig = trainConfig;
      return this;
    }

    /** Sets {@link SimulationSettings#fractionEvaluate()}. */
    public Builder fractionEvaluate(double fractionEvaluate) {
      this.fractionEvaluate = fractionEvaluate;
      return this;
    }

    /** Sets {@link SimulationSettings#workers()}. */
    public Builder workers(int workers) {
      this.workers = workers;
      return this;
    }

    /** Sets {@link SimulationSettings#roundTimeout()}. */
    public Builder roundTimeout(Duration roundTimeout) {
      this.roundTimeout = roundTimeout;
      return this;
    }

    /** Sets {@link SimulationSettings#out()}. */
    public Builder out(Path out) {
      this.out = out;
      return this;
    }

    /** The settings; throws {@link IllegalArgumentException} naming a bad value. */
    public SimulationSettings build() {
      return new SimulationSettings(model, strategy, clients, clientsPerRound, rounds, partitioner, seed, trainConfig,
          fractionEvaluate, workers, roundTimeout, out, byzantine, initialModel, async, clientSpeed);
    }
  }
}
