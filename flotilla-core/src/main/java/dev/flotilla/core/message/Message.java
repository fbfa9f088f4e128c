package dev.flotilla.core.message;

import dev.flotilla.core.tensor.ModelWeights;
import java.util.Objects;

/**
 * The unit that crosses between server and client: a type, typed arrays found by name or index, config, metrics,
 * {@link Metadata} (ids, reply-to, group, model version, deadline) and, for a failed request, a first-class
 * {@link MessageError}. Every exchange (training, evaluation, key exchange, masked upload…) is a message type, not a
 * new RPC.
 *
 * @param type     what the message means, one of {@link MessageTypes} or an extension's own
 * @param metadata where the message belongs
 * @param config   scalar content
 * @param metrics  numeric results
 * @param arrays   tensors (a model, an update, masks, ciphertext bytes…), possibly empty
 * @param error    why there is no result, or null for a message that is not an error
 */
public record Message(String type, Metadata metadata, Config config, Metrics metrics, ModelWeights arrays,
    MessageError error) {
  public Message {
    if (type == null || type.isEmpty()) {
      throw new IllegalArgumentException("message type must not be empty");
    }
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(arrays, "arrays");
    if (error != null && !type.equals(MessageTypes.ERROR)) {
      throw new IllegalArgumentException("only '" + MessageTypes.ERROR + "' messages carry an error, not '" + type
          + "'");
    }
  }

  /** A message without metadata or error. */
  public Message(String type, Config config, Metrics metrics, ModelWeights arrays) {
    this(type, Metadata.none(), config, metrics, arrays, null);
  }

  /** A message of {@code type} with no content. */
  public static Message of(String type) {
    return new Message(type, Config.empty(), Metrics.empty(), ModelWeights.empty());
  }

  /** An error message: why a request got no result. */
  public static Message error(MessageError.Code code, String reason) {
    return new Message(MessageTypes.ERROR, Metadata.none(), Config.empty(), Metrics.empty(), ModelWeights.empty(),
        new MessageError(code, reason));
  }

  /** Whether this message reports an error instead of a result. */
  public boolean isError() {
    return error != null;
  }

  /** The same message with other metadata. */
  public Message withMetadata(Metadata other) {
    return new Message(type, other, config, metrics, arrays, error);
  }

  /** The same message with other arrays. */
  public Message withArrays(ModelWeights other) {
    return new Message(type, metadata, config, metrics, other, error);
  }

  /** The same message with other config. */
  public Message withConfig(Config other) {
    return new Message(type, metadata, other, metrics, arrays, error);
  }

  /** The same message with other metrics. */
  public Message withMetrics(Metrics other) {
    return new Message(type, metadata, config, other, arrays, error);
  }
}
