package dev.flotilla.transport;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.Metadata;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.List;
import java.util.Objects;

/**
 * Everything of a {@link Message} but its array values, as its {@code MessageStart} frame declares it: what a
 * {@link HeaderPolicy} sees before the receiver holds any array memory.
 *
 * @param type     the message type
 * @param metadata ids, group, model version and deadline
 * @param config   scalar content
 * @param metrics  numeric results
 * @param arrays   the name, dtype and shape of every array, in stream order; names are unique
 * @param error    the error of an {@link MessageTypes#ERROR} message, or null
 */
public record MessageHeader(String type, Metadata metadata, Config config, Metrics metrics, List<TensorSpec> arrays,
    MessageError error) {
  public MessageHeader {
    if (type == null || type.isEmpty()) {
      throw new IllegalArgumentException("message type must not be empty");
    }
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(metrics, "metrics");
    arrays = List.copyOf(arrays);
    if (error != null && !type.equals(MessageTypes.ERROR)) {
      throw new IllegalArgumentException("only '" + MessageTypes.ERROR + "' messages carry an error, not '" + type
          + "'");
    }
  }

  /** The total size of the array values in bytes: the length of the chunk stream that follows the header. */
  public long arrayBytes() {
    long n = 0;
    for (TensorSpec s : arrays) {
      n += s.byteSize();
    }
    return n;
  }

  /** The message this header starts, given its arrays (whose specs must be {@link #arrays()}). */
  Message toMessage(ModelWeights values) {
    return new Message(type, metadata, config, metrics, values, error);
  }
}
