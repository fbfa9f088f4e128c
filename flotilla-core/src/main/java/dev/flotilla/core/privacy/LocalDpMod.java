package dev.flotilla.core.privacy;

import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.client.ClientMod;
import dev.flotilla.core.client.ClientState;
import dev.flotilla.core.client.Context;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.random.Seeds;
import dev.flotilla.core.tensor.ModelWeights;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Local differential privacy: the client clips its update to L2 norm {@code C} and adds Gaussian noise of standard
 * deviation {@code z·C} (on a grid, as {@link GridGaussian} describes) before the update leaves the site, so that the
 * server, and anyone who sees the traffic, learns about the client's data only through the noised update. The reply's
 * metrics are replaced by {@value PrivacyMetrics#LOCAL_EPSILON}, the client's own ε so far at its δ, since training
 * metrics such as the loss are not private; the number of examples, which the client already announced when it
 * registered, stays.
 *
 * <p>Accounting: each update is a Gaussian mechanism on the client's whole data set, without amplification by
 * sampling (the server knows which clients it asked), so {@code k} participations cost the RDP of {@code k} Gaussian
 * mechanisms ({@link RdpAccountant} with {@code q = 1}). The count is kept in {@link Context#state()} under
 * {@value #STATE_KEY}. With a budget, a request whose participation would exceed it is refused
 * ({@link MessageError.Code#REFUSED}) without training: the client drops out, the federation goes on.
 *
 * <p>Place it innermost but for attacks (next to the app), so that it sees the trained float32 model. Holds
 * configuration only; one instance may serve any number of clients.
 */
public final class LocalDpMod implements ClientMod {
  /** The {@link ClientState} key under which a client's participations are counted. */
  public static final String STATE_KEY = "privacy/local_dp";
  private static final String PARTICIPATIONS = "participations";

  private final Settings settings;

  /** A mod that privatises every training reply as {@code settings} say. */
  public LocalDpMod(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** The configuration. */
  public Settings settings() {
    return settings;
  }

  @Override
  public Message handle(Message message, Context context, ClientApp next) {
    if (!message.type().equals(MessageTypes.TRAIN)) {
      return next.handle(message, context);
    }
    ClientState state = context.state();
    long done = state.config(STATE_KEY).map(c -> c.getLong(PARTICIPATIONS, 0)).orElse(0L);
    double epsilon = RdpAccountant.epsilon(1.0, settings.noiseMultiplier(), done + 1, settings.delta());
    if (settings.budget().isPresent() && epsilon > settings.budget().getAsDouble()) {
      return Message.error(MessageError.Code.REFUSED, String.format(Locale.ROOT, "local privacy budget: update %d"
              + " would take this client's epsilon to %.4f, above its budget %s (delta %s)", done + 1, epsilon,
          settings.budget().getAsDouble(), settings.delta()));
    }
    Message reply = next.handle(message, context);
    if (reply == null || !reply.type().equals(MessageTypes.TRAIN_RESULT)) {
      return reply;
    }
    ModelWeights global = message.arrays();
    GridGaussian grid = GridGaussian.of(settings.clip(), global.numParameters(), settings.noiseMultiplier());
    LatticeSum update = new LatticeSum(global.specs(), grid.granularity());
    update.add(reply.arrays(), global, settings.clip());
    long round = message.config().getLong("round", message.metadata().modelVersion());
    update.addNoise(grid.sigma(), settings.bits(context.clientId(), round));
    state.putConfig(STATE_KEY, Config.of(PARTICIPATIONS, done + 1));
    return reply.withArrays(update.applyMean(global, 1))
        .withMetrics(Metrics.of(PrivacyMetrics.LOCAL_EPSILON, epsilon));
  }

  /**
   * Local DP's configuration, chosen by each client for itself.
   *
   * @param clip            the L2 clipping norm {@code C > 0}
   * @param noiseMultiplier {@code z > 0}: the noise has standard deviation {@code z·C}
   * @param delta           the δ of the client's guarantee, in (0, 1)
   * @param budget          the client's ε budget, or empty for none
   * @param noiseSeed       empty: secure noise; a seed: reproducible, not private, noise for simulations and tests
   */
  public record Settings(double clip, double noiseMultiplier, double delta, OptionalDouble budget,
      OptionalLong noiseSeed) {
    /** @throws IllegalArgumentException naming the first value out of range */
    public Settings {
      if (!(clip > 0) || Double.isInfinite(clip)) {
        throw new IllegalArgumentException("clipping norm must be positive and finite, got " + clip);
      }
      if (!(noiseMultiplier > 0) || Double.isInfinite(noiseMultiplier)) {
        throw new IllegalArgumentException("local DP needs a positive, finite noise multiplier, got "
            + noiseMultiplier);
      }
      if (!(delta > 0 && delta < 1)) {
        throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
      }
      Objects.requireNonNull(budget, "budget");
      budget.ifPresent(e -> {
        if (!(e > 0) || Double.isInfinite(e)) {
          throw new IllegalArgumentException("epsilon budget must be positive and finite, got " + e);
        }
      });
      Objects.requireNonNull(noiseSeed, "noiseSeed");
    }

    RandomBits bits(String clientId, long round) {
      if (noiseSeed.isEmpty()) {
        return RandomBits.secure();
      }
      long z = Seeds.mix(noiseSeed.getAsLong() * Seeds.GOLDEN_GAMMA + clientId.hashCode());
      return RandomBits.seeded(Seeds.mix(z + round * Seeds.GOLDEN_GAMMA));
    }
  }
}
