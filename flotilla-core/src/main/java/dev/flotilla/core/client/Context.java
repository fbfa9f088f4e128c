package dev.flotilla.core.client;

import dev.flotilla.core.message.Config;
import java.util.Objects;

/**
 * What a {@link ClientApp} and its {@link ClientMod}s know of the client they serve. One context lives as long as the
 * client: a deployed client keeps it across reconnections, a simulation keeps one per virtual client (made when the
 * client is first sampled), so an app that keeps its state here behaves identically in both.
 *
 * @param clientId   the client's id, as the server knows it
 * @param nodeConfig the client's own settings (what it registered with, such as {@code num_examples})
 * @param state      a store that survives rounds
 */
public record Context(String clientId, Config nodeConfig, ClientState state) {
  public Context {
    if (clientId == null || clientId.isEmpty()) {
      throw new IllegalArgumentException("client id must not be empty");
    }
    Objects.requireNonNull(nodeConfig, "nodeConfig");
    Objects.requireNonNull(state, "state");
  }

  /** A context with an empty state. */
  public static Context of(String clientId, Config nodeConfig) {
    return new Context(clientId, nodeConfig, new ClientState());
  }
}
