package dev.flotilla.cli;

import java.util.Optional;
import java.util.OptionalLong;
import picocli.CommandLine.Option;

/** The differential privacy options of {@code server} and {@code simulate}, as a {@link PrivacyChoice}. */
final class PrivacyOptionsMixin {
  @Option(names = "--dp", description = "Differential privacy: central (the server clips and adds noise),"
      + " central-client-clip (clients clip, the server adds noise) or local (each client clips and adds noise).")
  String mode;

  @Option(names = "--dp-noise", description = "Noise multiplier z: noise std z * clip on the sum of updates"
      + " (default: from --target-epsilon).")
  Double noise;

  @Option(names = "--dp-clip", defaultValue = "1.0",
      description = "L2 clipping norm of each update; with --dp-adaptive-quantile its starting value"
          + " (default: ${DEFAULT-VALUE}).")
  double clip;

  @Option(names = "--dp-adaptive-quantile", description = "Adapt the clip to this quantile of the update norms"
      + " (Andrew et al. 2021), e.g. 0.5.")
  Double adaptiveQuantile;

  @Option(names = "--dp-delta", defaultValue = "1e-5", description = "The delta of the guarantee (default:"
      + " ${DEFAULT-VALUE}).")
  double delta;

  @Option(names = "--target-epsilon", description = "Privacy budget: without --dp-noise, the noise is chosen so that"
      + " the planned rounds stay within it; the run stops before a round would exceed it.")
  Double targetEpsilon;

  /**
   * The privacy of a run of {@code rounds} rounds at the planned {@code samplingRate}, or empty without {@code --dp};
   * a bad or missing value gets a one-line error naming it.
   */
  Optional<PrivacyChoice> choice(double samplingRate, int rounds, OptionalLong noiseSeed) {
    if (mode == null) {
      if (noise != null || targetEpsilon != null || adaptiveQuantile != null) {
        throw new IllegalArgumentException("--dp-noise, --dp-adaptive-quantile and --target-epsilon need --dp");
      }
      return Optional.empty();
    }
    return Optional.of(PrivacyChoice.plan(PrivacyChoice.Mode.parse(mode), noise, clip, adaptiveQuantile, delta,
        targetEpsilon, samplingRate, rounds, noiseSeed));
  }
}
