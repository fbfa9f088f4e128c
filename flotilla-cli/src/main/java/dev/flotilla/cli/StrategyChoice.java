package dev.flotilla.cli;

import dev.flotilla.core.personal.LayerPattern;
import dev.flotilla.core.personal.LocalLayers;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.Strategies;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.strategy.StrategyOptions;
import dev.flotilla.djl.model.Models;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The strategy a run uses, as the command line chose it, and the one place where the CLI turns that choice into a
 * {@link Strategy} for {@code server}, {@code demo} and {@code simulate} alike: {@link Strategies} by name with its
 * parameters, wrapped in differential privacy when chosen, in {@link LocalLayers} (around privacy, so that privacy
 * acts on the shared layers) when some layers stay on the sites, and outermost in
 * {@link dev.flotilla.core.compress.Compression} when traffic is compressed.
 *
 * @param name        a name of {@link Strategies#names()}
 * @param options     its parameters
 * @param localLayers regex of the layers that stay on each site, or null for none
 * @param privacy     differential privacy, or null for none
 * @param compression the compression of updates (and of the model sent), or null for none
 */
record StrategyChoice(String name, StrategyOptions options, String localLayers, PrivacyChoice privacy,
    CompressionChoice compression) {
  /** The strategies whose aggregate is a weighted average of the client models, which central DP can wrap. */
  private static final Set<String> WEIGHTED_AVERAGES = Set.of("fedavg", "fedavgm", "fedprox", "fedadagrad",
      "fedadam", "fedyogi");

  StrategyChoice {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(options, "options");
  }

  /** Without differential privacy or compression. */
  StrategyChoice(String name, StrategyOptions options, String localLayers) {
    this(name, options, localLayers, null, null);
  }

  /** The same choice with {@code privacy} (null for none). */
  StrategyChoice withPrivacy(PrivacyChoice privacy) {
    return new StrategyChoice(name, options, localLayers, privacy, compression);
  }

  /** The same choice with {@code other} compression (null for none). */
  StrategyChoice withCompression(CompressionChoice other) {
    return new StrategyChoice(name, options, localLayers, privacy, other);
  }

  /** Plain FedAvg. */
  static StrategyChoice fedAvg() {
    return new StrategyChoice("fedavg", StrategyOptions.defaults(), null);
  }

  /**
   * Checks the choice for a run of {@code model} with {@code clientsPerRound} results per round, with a one-line
   * error naming the problem: an unknown name, parameters that do not suit the algorithm or the number of clients,
   * a layer regex that keeps all layers or none of the model.
   */
  void validate(String model, int clientsPerRound) {
    Strategies.validate(name, options, clientsPerRound);
    if (privacy != null && privacy.mode() != PrivacyChoice.Mode.LOCAL && !WEIGHTED_AVERAGES.contains(name.strip()
        .toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException("--dp " + privacy.mode() + " averages clipped updates and cannot wrap "
          + name + ", which is not a weighted average; use fedavg, fedavgm, fedprox, fedadagrad, fedadam or fedyogi");
    }
    if (localLayers != null) {
      LayerPattern.of(localLayers).requireSplit(Models.specs(model));
    }
    if (compression != null) {
      compression.validate();
    }
  }

  /** The strategy, sampling, configuring and evaluating as {@code base}; call {@link #validate} first. */
  Strategy build(FedAvg.Settings base) {
    Strategy built = Strategies.create(name, options, base);
    if (privacy != null) {
      built = privacy.wrap(built);
    }
    Strategy personal = localLayers == null ? built : new LocalLayers(built, localLayers);
    return compression == null ? personal : compression.wrap(personal);
  }

  /**
   * A short description for logs, summaries and chart titles, such as {@code fedprox, local layers fc2\..*} or
   * {@code fedavg, dp central z 1.29 clip 1}.
   */
  String describe() {
    return name.toLowerCase(Locale.ROOT) + (localLayers == null ? "" : ", local layers " + localLayers)
        + (privacy == null ? "" : ", " + privacy.describe())
        + (compression == null ? "" : ", " + compression.describe());
  }
}
