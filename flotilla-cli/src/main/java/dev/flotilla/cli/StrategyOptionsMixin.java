package dev.flotilla.cli;

import dev.flotilla.core.strategy.StrategyOptions;
import dev.flotilla.djl.model.Models;
import dev.flotilla.djl.model.Network;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The strategy options of {@code server}, {@code demo} and {@code simulate}: the algorithm and its parameters, and
 * the layers that stay on the sites ({@code --personalize}, {@code --local-layers}), as a {@link StrategyChoice}.
 */
final class StrategyOptionsMixin {
  @Option(names = "--strategy", defaultValue = "fedavg",
      description = "Strategy: fedavg, fedavgm, fedprox, fedadagrad, fedadam, fedyogi, qfedavg, fedmedian, trimmed-mean,"
          + " krum, multi-krum or bulyan (default: ${DEFAULT-VALUE}).")
  String strategy;

  @Option(names = "--proximal-mu", description = "FedProx: weight mu of the proximal term (default: 0.01).")
  Double proximalMu;

  @Option(names = "--server-lr", description = "FedAvgM, FedAdagrad, FedAdam, FedYogi: server learning rate.")
  Double serverLr;

  @Option(names = "--server-momentum", description = "FedAvgM: server momentum in [0, 1) (default: 0).")
  Double serverMomentum;

  @Option(names = "--beta1", description = "FedAdagrad, FedAdam, FedYogi: first-moment decay in [0, 1).")
  Double beta1;

  @Option(names = "--beta2", description = "FedAdam, FedYogi: second-moment decay in [0, 1) (default: 0.99).")
  Double beta2;

  @Option(names = "--tau", description = "FedAdagrad, FedAdam, FedYogi: adaptivity tau > 0.")
  Double tau;

  @Option(names = "--q", description = "QFedAvg: fairness exponent q >= 0.")
  Double q;

  @Option(names = "--q-lipschitz", description = "QFedAvg: Lipschitz constant L > 0.")
  Double qLipschitz;

  @Option(names = "--trim-beta", description = "Trimmed mean: fraction cut at each end, in [0, 0.5) (default: 0.2).")
  Double trimBeta;

  @Option(names = "--byzantine-f", description = "Krum, multi-Krum, Bulyan: Byzantine clients tolerated (default: 0).")
  Integer byzantineF;

  @Option(names = "--multi-krum-m",
      description = "Multi-Krum: how many best-scored models to average (default: clients - f).")
  Integer multiKrumM;

  @Option(names = "--personalize",
      description = "Layers that stay on each site: fedper (the classifier head) or fedbn (normalisation layers).")
  String personalize;

  @Option(names = "--local-layers", description = "Regex of layer names that stay on each site (never sent or"
      + " averaged), such as 'fc2\\..*'.")
  String localLayers;

  /** The algorithm parameters; a bad value gets a one-line error naming it. */
  StrategyOptions options() {
    StrategyOptions.Builder b = StrategyOptions.builder();
    if (proximalMu != null) {
      b.proximalMu(proximalMu);
    }
    if (serverLr != null) {
      b.serverLr(serverLr);
    }
    if (serverMomentum != null) {
      b.serverMomentum(serverMomentum);
    }
    if (beta1 != null) {
      b.beta1(beta1);
    }
    if (beta2 != null) {
      b.beta2(beta2);
    }
    if (tau != null) {
      b.tau(tau);
    }
    if (q != null) {
      b.q(q);
    }
    if (qLipschitz != null) {
      b.qLipschitz(qLipschitz);
    }
    if (trimBeta != null) {
      b.trimBeta(trimBeta);
    }
    if (byzantineF != null) {
      b.byzantineF(byzantineF);
    }
    if (multiKrumM != null) {
      b.multiKrumM(multiKrumM);
    }
    return b.build();
  }

  /**
   * The regex of the layers of {@code model} that stay on the sites, if any: {@code fedper} keeps the classifier
   * head, {@code fedbn} the normalisation layers, {@code --local-layers} whatever it names.
   */
  Optional<String> localLayers(String model) {
    if (personalize != null && localLayers != null) {
      throw new IllegalArgumentException("give --personalize or --local-layers, not both");
    }
    if (localLayers != null) {
      return Optional.of(localLayers);
    }
    if (personalize == null || personalize.equalsIgnoreCase("none")) {
      return Optional.empty();
    }
    Network network = Models.network(model);
    String regex = switch (personalize.toLowerCase(Locale.ROOT)) {
      case "fedper" -> network.headPattern();
      case "fedbn" -> network.normalizationPattern();
      default -> throw new IllegalArgumentException(
          "unknown --personalize '" + personalize + "'; choose fedper, fedbn or none");
    };
    if (regex.equals(Network.MATCHES_NOTHING)) {
      throw new IllegalArgumentException("--personalize " + personalize + ": model '" + model
          + "' has no normalisation layers; use a model with them, such as cnn-bn");
    }
    return Optional.of(regex);
  }

  /** The strategy chosen for a run of {@code model}; a bad option gets a one-line error naming it. */
  StrategyChoice choice(String model) {
    return new StrategyChoice(strategy, options(), localLayers(model).orElse(null));
  }
}
