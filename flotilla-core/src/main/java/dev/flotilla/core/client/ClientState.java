package dev.flotilla.core.client;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.tensor.ModelWeights;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A client's state that survives from one message to the next: arrays (personal layers, residuals, keys) and
 * scalars, each under a key of its owner's choosing, such as the mod's name. Empty when made. Thread-safe; values
 * are immutable.
 */
public final class ClientState {
  private final Map<String, ModelWeights> arrays = new ConcurrentHashMap<>();
  private final Map<String, Config> configs = new ConcurrentHashMap<>();

  /** The arrays stored under {@code key}, if any. */
  public Optional<ModelWeights> arrays(String key) {
    return Optional.ofNullable(arrays.get(key));
  }

  /** Stores {@code value} under {@code key}, replacing what was there. */
  public void putArrays(String key, ModelWeights value) {
    arrays.put(requireKey(key), value);
  }

  /** The scalars stored under {@code key}, if any. */
  public Optional<Config> config(String key) {
    return Optional.ofNullable(configs.get(key));
  }

  /** Stores {@code value} under {@code key}, replacing what was there. */
  public void putConfig(String key, Config value) {
    configs.put(requireKey(key), value);
  }

  /** Forgets everything stored under {@code key}. */
  public void remove(String key) {
    arrays.remove(key);
    configs.remove(key);
  }

  /** The keys in use, sorted. */
  public Set<String> keys() {
    Set<String> out = new TreeSet<>(arrays.keySet());
    out.addAll(configs.keySet());
    return out;
  }

  /** Whether nothing is stored. */
  public boolean isEmpty() {
    return arrays.isEmpty() && configs.isEmpty();
  }

  private static String requireKey(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("a client state key must not be empty");
    }
    return key;
  }
}
