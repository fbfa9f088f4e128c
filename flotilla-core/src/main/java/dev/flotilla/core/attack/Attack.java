package dev.flotilla.core.attack;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.tensor.ModelWeights;

/**
 * What a Byzantine client does instead of honest training, for simulating attacks on robust aggregation. An attack
 * may change the training request its app sees ({@link #trainConfig}) and the weights it sends back
 * ({@link #poison}); {@link ByzantineMod} applies both around the client's app.
 *
 * <p>Attacks are immutable values, written as specs: {@code signflip}, {@code scale:FACTOR}, {@code gaussian:STD},
 * {@code labelflip} ({@link #parse}).
 */
public sealed interface Attack permits SignFlip, ScaledUpdate, GaussianNoise, LabelFlip {
  /** The known specs, for error messages and help texts. */
  String KNOWN = "signflip, scale:FACTOR, gaussian:STD, labelflip";

  /** This attack as a spec that {@link #parse} reads back, such as {@code "scale:10"}. */
  String spec();

  /** The config the attacker's app trains with, given the config the server sent; unchanged by default. */
  default Config trainConfig(Config sent) {
    return sent;
  }

  /**
   * The weights to send instead of {@code trained}, which the app trained from {@code global}; unchanged by default.
   * Both are float32 models; every tensor of {@code trained} must be in {@code global} with the same spec.
   *
   * @param seed where an attack that draws random values starts, so that the same seed sends the same weights
   */
  default ModelWeights poison(ModelWeights global, ModelWeights trained, long seed) {
    return trained;
  }

  /**
   * The attack that {@code spec} names.
   *
   * @throws IllegalArgumentException naming the bad part: an unknown attack (listing the known ones), a missing,
   *                                  extra or malformed parameter, a non-finite factor or a non-positive std
   */
  static Attack parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("no attack given; known: " + KNOWN);
    }
    int colon = spec.indexOf(':');
    String name = colon < 0 ? spec : spec.substring(0, colon);
    String parameter = colon < 0 ? null : spec.substring(colon + 1);
    return switch (name) {
      case "signflip" -> {
        noParameter(name, parameter);
        yield new SignFlip();
      }
      case "labelflip" -> {
        noParameter(name, parameter);
        yield new LabelFlip();
      }
      case "scale" -> new ScaledUpdate(number(name, "FACTOR", parameter));
      case "gaussian" -> new GaussianNoise(number(name, "STD", parameter));
      default -> throw new IllegalArgumentException("unknown attack '" + name + "'; known: " + KNOWN);
    };
  }

  private static void noParameter(String name, String parameter) {
    if (parameter != null) {
      throw new IllegalArgumentException("attack '" + name + "' takes no parameter, got '" + name + ":" + parameter
          + "'");
    }
  }

  private static double number(String name, String what, String parameter) {
    if (parameter == null || parameter.isEmpty()) {
      throw new IllegalArgumentException("attack '" + name + "' needs a " + what + ", as in '" + name + ":"
          + (name.equals("scale") ? "10" : "0.1") + "'");
    }
    try {
      return Double.parseDouble(parameter);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("attack '" + name + "': " + what + " '" + parameter + "' is not a number");
    }
  }
}
