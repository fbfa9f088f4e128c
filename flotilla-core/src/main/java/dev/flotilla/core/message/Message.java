package dev.flotilla.core.message;

import dev.flotilla.core.tensor.ModelWeights;
import java.util.Objects;

/**
 * The unit that crosses between server and client: a type plus a record of config, metrics and arrays. Every
 * exchange (training, evaluation, and later key exchange or masked upload) is a message type, not a new RPC.
 *
 * @param type    what the message means, one of {@link MessageTypes} or an extension's own
 * @param config  scalar content
 * @param metrics numeric results
 * @param arrays  tensors (a model, an update, masks…), possibly empty
 */
public record Message(String type, Config config, Metrics metrics, ModelWeights arrays) {
  public Message {
    if (type == null || type.isEmpty()) {
      throw new IllegalArgumentException("message type must not be empty");
    }
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(arrays, "arrays");
  }

  public static Message of(String type) {
    return new Message(type, Config.empty(), Metrics.empty(), ModelWeights.empty());
  }
}
