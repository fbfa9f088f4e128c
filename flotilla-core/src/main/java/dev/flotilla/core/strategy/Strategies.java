package dev.flotilla.core.strategy;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Builds strategies by name, so that every command (simulation, server, benchmarks) offers the same ones with the
 * same parameters: {@code fedavg}, {@code fedavgm}, {@code fedprox}, {@code fedadagrad}, {@code fedadam},
 * {@code fedyogi}, {@code qfedavg}, {@code fedmedian}, {@code trimmed-mean}, {@code krum}, {@code multi-krum} and
 * {@code bulyan}. Names are matched ignoring case and surrounding spaces. Every strategy samples, configures and
 * evaluates as the {@link FedAvg.Settings} it is given.
 */
public final class Strategies {
  private static final List<String> NAMES = List.of("fedavg", "fedavgm", "fedprox", "fedadagrad", "fedadam",
      "fedyogi", "qfedavg", "fedmedian", "trimmed-mean", "krum", "multi-krum", "bulyan");

  private Strategies() {}

  /** The names {@link #create} accepts, in a stable order. */
  public static List<String> names() {
    return NAMES;
  }

  /**
   * A new strategy called {@code name}, with {@code options} (unset values take the algorithm's defaults) and the
   * sampling, configs and evaluator of {@code base}. Each call returns a fresh strategy with fresh state.
   *
   * @throws IllegalArgumentException if the name is unknown (listing the known ones)
   */
  public static Strategy create(String name, StrategyOptions options, FedAvg.Settings base) {
    return switch (normalize(name)) {
      case "fedavg" -> new FedAvg(base);
      case "fedavgm" -> new FedAvgM(base, options.serverLr().orElse(FedAvgM.DEFAULT_SERVER_LR),
          options.serverMomentum());
      case "fedprox" -> new FedProx(base, options.proximalMu());
      case "fedadagrad" -> new FedAdagrad(base, hyperparameters(options, FedAdagrad.DEFAULTS));
      case "fedadam" -> new FedAdam(base, hyperparameters(options, FedAdam.DEFAULTS));
      case "fedyogi" -> new FedYogi(base, hyperparameters(options, FedYogi.DEFAULTS));
      case "qfedavg" -> new QFedAvg(base, options.q(), options.qLipschitz());
      case "fedmedian" -> new FedMedian(base);
      case "trimmed-mean" -> new TrimmedMean(base, options.trimBeta());
      case "krum" -> new Krum(base, options.byzantineF(), 1);
      case "multi-krum" -> new Krum(base, options.byzantineF(), options.multiKrumM());
      case "bulyan" -> new Bulyan(base, options.byzantineF());
      default -> throw unknown(name);
    };
  }

  /**
   * Checks before a run that {@code name} exists and that {@code options} suit it with {@code clientsPerRound}
   * results per round: Krum and multi-Krum need {@code n > 2f + 2}, Bulyan {@code n ≥ 4f + 3}, multi-Krum
   * {@code m ≤ n}. Out-of-range parameters (negative {@code μ}, a trim fraction outside [0, 0.5), betas outside
   * [0, 1), a server learning rate that is not positive…) are already refused when the options are built.
   *
   * @throws IllegalArgumentException with a one-line message naming the problem
   */
  public static void validate(String name, StrategyOptions options, int clientsPerRound) {
    String key = normalize(name);
    if (!NAMES.contains(key)) {
      throw unknown(name);
    }
    if (clientsPerRound < 1) {
      throw new IllegalArgumentException("clients per round must be >= 1, got " + clientsPerRound);
    }
    create(key, options, FedAvg.Settings.builder().build());
    int f = options.byzantineF();
    Optional<String> problem = switch (key) {
      case "krum", "multi-krum" -> Krum.problem(clientsPerRound, f);
      case "bulyan" -> Bulyan.problem(clientsPerRound, f);
      default -> Optional.empty();
    };
    problem.ifPresent(p -> {
      throw new IllegalArgumentException(key + " with " + clientsPerRound + " clients per round: " + p);
    });
    if (key.equals("multi-krum") && options.multiKrumM() > clientsPerRound) {
      throw new IllegalArgumentException("multi-krum: multiKrumM = " + options.multiKrumM()
          + " exceeds the " + clientsPerRound + " clients per round");
    }
  }

  private static FedOpt.Hyperparameters hyperparameters(StrategyOptions o, FedOpt.Hyperparameters defaults) {
    return new FedOpt.Hyperparameters(o.serverLr().orElse(defaults.serverLr()), o.beta1().orElse(defaults.beta1()),
        o.beta2(), o.tau().orElse(defaults.tau()));
  }

  private static String normalize(String name) {
    return name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
  }

  private static IllegalArgumentException unknown(String name) {
    return new IllegalArgumentException("unknown strategy '" + name + "'; choose one of " + String.join(", ", NAMES));
  }
}
