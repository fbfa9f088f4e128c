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

/**
 * The strategy a run uses, as the command line chose it, and the one place where the CLI turns that choice into a
 * {@link Strategy} for {@code server}, {@code demo} and {@code simulate} alike: {@link Strategies} by name with its
 * parameters, wrapped in {@link LocalLayers} when some layers stay on the sites, and outermost in
 * {@link dev.flotilla.core.compress.Compression} when traffic is compressed.
 *
 * @param name        a name of {@link Strategies#names()}
 * @param options     its parameters
 * @param localLayers regex of the layers that stay on each site, or null for none
 * @param compression the compression of updates (and of the model sent), or null for none
 */
record StrategyChoice(String name, StrategyOptions options, String localLayers, CompressionChoice compression) {
  StrategyChoice {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(options, "options");
  }

  /** A choice without compression. */
  StrategyChoice(String name, StrategyOptions options, String localLayers) {
    this(name, options, localLayers, null);
  }

  /** The same choice with {@code other} compression (null for none). */
  StrategyChoice withCompression(CompressionChoice other) {
    return new StrategyChoice(name, options, localLayers, other);
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
    Strategy personal = localLayers == null ? built : new LocalLayers(built, localLayers);
    return compression == null ? personal : compression.wrap(personal);
  }

  /** A short description for logs, summaries and chart titles, such as {@code fedprox, local layers fc2\..*}. */
  String describe() {
    return name.toLowerCase(Locale.ROOT) + (localLayers == null ? "" : ", local layers " + localLayers)
        + (compression == null ? "" : ", " + compression.describe());
  }
}
