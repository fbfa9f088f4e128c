package dev.flotilla.cli;

import dev.flotilla.core.he.HeSettings;
import dev.flotilla.core.secagg.SecAggSettings;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.Strategies;
import dev.flotilla.workflow.TrainStage;
import dev.flotilla.workflow.he.PaillierStage;
import dev.flotilla.workflow.secagg.SecAggPlusStage;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The secure aggregation options of {@code server} and {@code simulate}: {@code --secagg} runs every round's training
 * through SecAgg+ ({@link SecAggPlusStage}), so that the server learns only the sum of the updates. Every client runs
 * the client side ({@link dev.flotilla.core.secagg.SecAggPlusMod}) already; clients need no option. {@code --he paillier}
 * runs it through Paillier encryption instead ({@link PaillierStage}; clients run
 * {@link dev.flotilla.core.he.PaillierMod}).
 */
final class SecureAggregationOptionsMixin {
  /** Strategies whose aggregate is a weighted average of the results, which can take the sum alone. */
  private static final Set<String> WEIGHTED_AVERAGES = Set.of("fedavg", "fedavgm", "fedprox", "fedadagrad",
      "fedadam", "fedyogi");

  @Option(names = "--secagg", description = "Secure aggregation (SecAgg+): the server learns only the sum of each"
      + " round's updates.")
  boolean enabled;

  @Option(names = "--secagg-shares", defaultValue = "5", paramLabel = "K", description = "Shares of each client's"
      + " secrets: the client and its K - 1 nearest neighbours on the round's ring; odd, >= 3 (default:"
      + " ${DEFAULT-VALUE}).")
  int shares;

  @Option(names = "--secagg-threshold", paramLabel = "T", description = "Shares that reconstruct a secret; a round"
      + " fails closed when fewer survive (default: a majority of --secagg-shares).")
  Integer threshold;

  @Option(names = "--secagg-clipping-range", defaultValue = "8.0", description = "Each value of a (weighted) update"
      + " is clipped to +-this (default: ${DEFAULT-VALUE}).")
  double clippingRange;

  @Option(names = "--secagg-quantization-range", defaultValue = "4194304", description = "Quantisation levels"
      + " (default: ${DEFAULT-VALUE} = 2^22).")
  long quantizationRange;

  @Option(names = "--secagg-modulus", defaultValue = "4294967296", description = "The ring's modulus, a power of two"
      + " up to 2^32 (default: ${DEFAULT-VALUE} = 2^32).")
  long modulus;

  @Option(names = "--secagg-max-weight", defaultValue = "1000", description = "A client's update counts with weight"
      + " min(1, examples / this) (default: ${DEFAULT-VALUE}); also for --he.")
  double maxWeight;

  @Option(names = "--secagg-stage-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "How long each SecAgg+ exchange without training (keys, shares, unmasking) waits for the"
          + " clients, such as 30s; a client that has not answered by then counts as dropped (default: the round"
          + " timeout).")
  Duration stageTimeout;

  @Option(names = "--he", paramLabel = "SCHEME", description = "Homomorphic encryption of the updates: paillier (a key"
      + " holder client decrypts only the sum).")
  String he;

  @Option(names = "--he-key-holder", paramLabel = "ID", description = "The client that holds the private key"
      + " (default: the first connected client by id).")
  String keyHolder;

  @Option(names = "--he-dedicated-key-holder", description = "The key holder is a process of its own that never"
      + " trains ('flotilla key-holder --client-id ID'); needs --he-key-holder ID.")
  boolean dedicatedKeyHolder;

  @Option(names = "--he-key-bits", defaultValue = "2048", description = "Bits of the Paillier modulus (default:"
      + " ${DEFAULT-VALUE}).")
  int keyBits;

  @Option(names = "--he-value-bits", defaultValue = "16", description = "Bits of each quantised value, within"
      + " +-8 (default: ${DEFAULT-VALUE}).")
  int valueBits;

  @Option(names = "--he-max-clients", defaultValue = "128", description = "The most clients a round may sum: the"
      + " headroom packed above each value (default: ${DEFAULT-VALUE}).")
  int heMaxClients;

  /**
   * The training stage of a run with {@code choice} and {@code clientsPerRound} clients per round, or null without
   * {@code --secagg}; a bad value or a strategy, compression or privacy that cannot work on a sum gets a one-line
   * error naming it.
   */
  TrainStage stage(StrategyChoice choice, int clientsPerRound) {
    if (he != null) {
      if (enabled) {
        throw new IllegalArgumentException("choose one of --secagg and --he");
      }
      if (stageTimeout != null) {
        throw new IllegalArgumentException("--secagg-stage-timeout is for --secagg, not --he");
      }
      if (!he.strip().equalsIgnoreCase("paillier")) {
        throw new IllegalArgumentException("unknown --he scheme '" + he + "'; known: paillier");
      }
      boolean weighted = checkCompatible(choice, "--he");
      HeSettings settings = new HeSettings(keyBits, valueBits, HeSettings.defaults().clippingRange(), heMaxClients,
          maxWeight, weighted);
      if (clientsPerRound > heMaxClients) {
        throw new IllegalArgumentException("--he: " + clientsPerRound + " clients per round exceed --he-max-clients "
            + heMaxClients);
      }
      if (dedicatedKeyHolder && keyHolder == null) {
        throw new IllegalArgumentException("--he-dedicated-key-holder needs --he-key-holder ID");
      }
      return new PaillierStage(settings, keyHolder, dedicatedKeyHolder);
    }
    if (!enabled) {
      if (stageTimeout != null) {
        throw new IllegalArgumentException("--secagg-stage-timeout needs --secagg");
      }
      if (keyHolder != null) {
        throw new IllegalArgumentException("--he-key-holder needs --he paillier");
      }
      return null;
    }
    boolean weighted = checkCompatible(choice, "--secagg");
    SecAggSettings settings = new SecAggSettings(shares, threshold != null ? threshold : shares / 2 + 1,
        clippingRange, quantizationRange, modulus, maxWeight, weighted);
    String problem = settings.problemFor(clientsPerRound);
    if (problem != null) {
      throw new IllegalArgumentException("--secagg: a round of " + problem);
    }
    return new SecAggPlusStage(settings, stageTimeout);
  }

  /**
   * Refuses what cannot work on a sum, naming {@code option}; returns whether updates are weighted by examples (not
   * under central DP, whose mean is unweighted).
   */
  private static boolean checkCompatible(StrategyChoice choice, String option) {
    String name = choice.name().strip().toLowerCase(Locale.ROOT);
    if (Strategies.create(choice.name(), choice.options(), FedAvg.Settings.builder().build()).needsAllResults()
        || !WEIGHTED_AVERAGES.contains(name)) {
      throw new IllegalArgumentException(option + " gives the server only the sum of the updates, and " + name
          + " needs each client's result; use fedavg, fedavgm, fedprox, fedadagrad, fedadam or fedyogi");
    }
    if (choice.compression() != null) {
      throw new IllegalArgumentException(option + " hides the full update; it cannot be combined with --compress");
    }
    if (choice.localLayers() != null) {
      throw new IllegalArgumentException(option + " sums whole models; it cannot be combined with --local-layers");
    }
    PrivacyChoice privacy = choice.privacy();
    if (privacy != null && (privacy.mode() != PrivacyChoice.Mode.CENTRAL_CLIENT_CLIP
        || privacy.adaptiveQuantile() != null)) {
      throw new IllegalArgumentException(option + " works with --dp central-client-clip and a fixed clip (clients"
          + " clip, the server adds noise to the sum), not with --dp " + privacy.mode()
          + (privacy.adaptiveQuantile() != null ? " and --dp-adaptive-quantile" : ""));
    }
    return privacy == null;
  }
}
