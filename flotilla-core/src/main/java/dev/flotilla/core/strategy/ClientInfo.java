package dev.flotilla.core.strategy;

import dev.flotilla.core.message.Config;
import java.util.Objects;

/**
 * A client known to the server, as strategies see it when they sample.
 *
 * @param id         stable identity of the client within a run
 * @param properties what the client said of itself at registration (for example {@code num_examples})
 */
public record ClientInfo(String id, Config properties) {
  public ClientInfo {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("client id must not be empty");
    }
    Objects.requireNonNull(properties, "properties");
  }
}
