package dev.flotilla.core.attack;

import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.client.ClientMod;
import dev.flotilla.core.client.Context;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import java.util.Objects;

/**
 * Makes one simulated client Byzantine: on a {@code train} request it lets its {@link Attack} change the config the
 * app trains with, then replaces the weights of the {@code train_result} reply by the attack's poisoned ones,
 * computed against the global model the request carried. Other messages, and error replies, pass untouched.
 *
 * <p>Random draws start from a seed mixed from the run's seed, the client's id and the round (the request's
 * {@code round} config, or its model version when it has none), so a simulation is reproducible and clients and
 * rounds draw differently.
 *
 * <p>Place it innermost (last in the mod list), next to the app, so that it sees float32 weights before any
 * compression or masking mod. Holds configuration only; one instance may serve several clients.
 */
public final class ByzantineMod implements ClientMod {
  private final Attack attack;
  private final long seed;

  /** A mod that carries out {@code attack}, drawing from {@code seed} (the run's seed). */
  public ByzantineMod(Attack attack, long seed) {
    this.attack = Objects.requireNonNull(attack, "attack");
    this.seed = seed;
  }

  /** The attack this mod carries out. */
  public Attack attack() {
    return attack;
  }

  @Override
  public Message handle(Message message, Context context, ClientApp next) {
    if (!message.type().equals(MessageTypes.TRAIN)) {
      return next.handle(message, context);
    }
    Message reply = next.handle(message.withConfig(attack.trainConfig(message.config())), context);
    if (reply == null || !reply.type().equals(MessageTypes.TRAIN_RESULT)) {
      return reply;
    }
    long round = message.config().getLong("round", message.metadata().modelVersion());
    return reply.withArrays(attack.poison(message.arrays(), reply.arrays(), seedFor(seed, context.clientId(),
        round)));
  }

  /** A seed that differs between runs, clients and rounds, and is the same for the same three. */
  static long seedFor(long runSeed, String clientId, long round) {
    long z = mix(runSeed + 0x9E3779B97F4A7C15L);
    z = mix(z ^ clientId.hashCode());
    return mix(z ^ round);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
