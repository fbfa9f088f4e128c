package dev.flotilla.core.privacy;

/**
 * Names of what differential privacy adds to a round: the metrics the server-side wrappers report (they reach
 * {@code metrics.jsonl} after the standard keys), the config key that asks clients to clip and the metrics clients
 * send back.
 */
public final class PrivacyMetrics {
  /** ε spent so far, this round included, at {@link #DELTA} (a run's guarantee is the last value). */
  public static final String EPSILON = "epsilon";
  /** The δ at which {@link #EPSILON} is stated. */
  public static final String DELTA = "delta";
  /** The clipping norm used this round. */
  public static final String CLIP = "dp_clip";
  /** Standard deviation of the noise on each coordinate of the averaged update (model units). */
  public static final String NOISE_STD = "dp_noise_std";
  /** Adaptive clipping: the noised share of this round's updates that were no longer than the clip. */
  public static final String UNCLIPPED_FRACTION = "dp_unclipped_fraction";
  /** Local DP: the ε of a client's own updates so far, reported by the client with its result. */
  public static final String LOCAL_EPSILON = "local_epsilon";
  /** Client-side clipping: 1 if the client's update was no longer than the clip before clipping, else 0. */
  public static final String UNCLIPPED = "dp_unclipped";
  /** The train config key with which the server asks clients to clip their update to this L2 norm. */
  public static final String CONFIG_CLIP = "dp_clip";

  private PrivacyMetrics() {}
}
