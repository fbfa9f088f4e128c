package dev.flotilla.cli;

import dev.flotilla.core.privacy.RdpAccountant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flotilla privacy}: the RDP accountant on the command line. With {@code --noise-multiplier} it prints the
 * ε that {@code --rounds} rounds spend; with {@code --target-epsilon} the noise multiplier they need. The last line
 * is the number alone, for scripts.
 */
@Command(name = "privacy", mixinStandardHelpOptions = true,
    description = "Privacy accounting for the Poisson-subsampled Gaussian mechanism (RDP, Mironov et al. 2019;"
        + " conversion of Balle et al. 2020): the epsilon spent, or the noise multiplier for a target epsilon.")
final class PrivacyCommand implements Callable<Integer> {
  @Option(names = "--sampling-rate", required = true, description = "Share q of clients (or records) sampled per"
      + " round, in (0, 1].")
  double samplingRate;

  @Option(names = "--noise-multiplier", description = "Noise multiplier z >= 0: noise std over the clipping norm.")
  Double noiseMultiplier;

  @Option(names = "--target-epsilon", description = "Print the noise multiplier that keeps the rounds within this"
      + " epsilon, instead of the epsilon.")
  Double targetEpsilon;

  @Option(names = "--rounds", required = true, description = "Rounds (steps of the mechanism).")
  long rounds;

  @Option(names = "--delta", defaultValue = "1e-5", description = "The delta, in (0, 1) (default: ${DEFAULT-VALUE}).")
  double delta;

  @Override
  public Integer call() {
    if (!(samplingRate > 0 && samplingRate <= 1)) {
      throw new IllegalArgumentException("--sampling-rate must be in (0, 1], got " + samplingRate);
    }
    if (!(delta > 0 && delta < 1)) {
      throw new IllegalArgumentException("--delta must be in (0, 1), got " + delta);
    }
    if (rounds < 1) {
      throw new IllegalArgumentException("--rounds must be >= 1, got " + rounds);
    }
    if ((noiseMultiplier == null) == (targetEpsilon == null)) {
      throw new IllegalArgumentException("give either --noise-multiplier or --target-epsilon");
    }
    if (noiseMultiplier != null) {
      if (!(noiseMultiplier >= 0) || noiseMultiplier.isInfinite()) {
        throw new IllegalArgumentException("--noise-multiplier must be >= 0 and finite, got " + noiseMultiplier);
      }
      double epsilon = RdpAccountant.epsilon(samplingRate, noiseMultiplier, rounds, delta);
      System.out.printf(Locale.ROOT, "%d rounds at sampling rate %s with noise multiplier %s spend (epsilon, delta) ="
          + " (%s, %s)%n", rounds, samplingRate, noiseMultiplier, epsilon, delta);
      System.out.println(epsilon);
    } else {
      if (!(targetEpsilon > 0) || targetEpsilon.isInfinite()) {
        throw new IllegalArgumentException("--target-epsilon must be positive and finite, got " + targetEpsilon);
      }
      double z = RdpAccountant.noiseMultiplier(samplingRate, rounds, targetEpsilon, delta);
      System.out.printf(Locale.ROOT, "%d rounds at sampling rate %s stay within epsilon %s at delta %s with noise"
          + " multiplier %s (epsilon %s)%n", rounds, samplingRate, targetEpsilon, delta, z,
          RdpAccountant.epsilon(samplingRate, z, rounds, delta));
      System.out.println(z);
    }
    return 0;
  }
}
