package dev.flotilla.sim;

import dev.flotilla.core.client.ClientState;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.strategy.StrategyState;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Virtual clients' {@link ClientState}s (personal layers, error-feedback residuals, local DP accounting, keys) kept
 * beside a strategy's state in one {@link StrategyState}, so that a simulation's checkpoint holds both and a resumed
 * simulation gives every client back what it had. Entries of client {@code ID} under state key {@code KEY} are named
 * {@value #PREFIX}{@code ID/KEY/NAME} (an array or a scalar {@code NAME}; {@code ID} and {@code KEY} URL-encoded, so
 * a {@code /} in them stays apart from the separators); the scalar {@value #PREFIX}{@code ID/KEY}
 * says which parts the key has ({@code arrays}, {@code config} or both), so an empty part comes back too.
 *
 * <p>A stored simulation keeps its clients' states apart from the strategy's, only those a round changed
 * ({@link #changed}); {@link #merge} and {@link #split} read and write the form that runs stored before that kept in
 * the strategy's state, so that they stay resumable.
 */
public final class ClientStates {
  /** The prefix of every client entry; a strategy's own entries must not start with it. */
  public static final String PREFIX = "clients/";
  private static final String ARRAYS = "arrays";
  private static final String CONFIG = "config";

  /** A strategy's own state and the clients' states, split apart. */
  public record Split(StrategyState strategy, Map<String, ClientState> clients) {}

  private ClientStates() {}

  /**
   * {@code strategy} with {@code clients} (by client id) added.
   *
   * @throws IllegalArgumentException if the strategy has entries under {@value #PREFIX}
   */
  public static StrategyState merge(StrategyState strategy, Map<String, ClientState> clients) {
    Map<String, Object> scalars = new LinkedHashMap<>(strategy.scalars().values());
    List<Tensor> arrays = new ArrayList<>(strategy.arrays().tensors());
    if (scalars.keySet().stream().anyMatch(k -> k.startsWith(PREFIX))
        || strategy.arrays().names().stream().anyMatch(n -> n.startsWith(PREFIX))) {
      throw new IllegalArgumentException("the strategy's state has entries named " + PREFIX + "…, the names of the"
          + " clients' states");
    }
    new TreeMap<>(clients).forEach((id, state) -> {
      for (String key : state.keys()) {
        String base = PREFIX + encode(id) + "/" + encode(key);
        ModelWeights a = state.arrays(key).orElse(null);
        Config c = state.config(key).orElse(null);
        scalars.put(base, a != null && c != null ? ARRAYS + "," + CONFIG : a != null ? ARRAYS : CONFIG);
        if (a != null) {
          a.tensors().forEach(t -> arrays.add(t.renamed(base + "/" + t.name())));
        }
        if (c != null) {
          c.values().forEach((name, value) -> scalars.put(base + "/" + name, value));
        }
      }
    });
    return new StrategyState(new Config(scalars), ModelWeights.of(arrays));
  }

  /**
   * Splits a state that {@link #merge} made into the strategy's own state and the clients' states; a state without
   * client entries gives an empty map.
   *
   * @throws IllegalArgumentException if a client entry has no marker (the state was not made by {@link #merge})
   */
  public static Split split(StrategyState merged) {
    Map<String, Object> own = new LinkedHashMap<>();
    Map<String, Map<String, Map<String, Object>>> configs = new TreeMap<>(); // id -> key -> name -> value
    Map<String, Map<String, List<Tensor>>> arrays = new TreeMap<>();
    Map<String, Map<String, String>> parts = new TreeMap<>();
    merged.scalars().values().forEach((name, value) -> {
      if (!name.startsWith(PREFIX)) {
        own.put(name, value);
        return;
      }
      String[] p = name.substring(PREFIX.length()).split("/", 3);
      if (p.length == 2) {
        parts.computeIfAbsent(decode(p[0]), k -> new TreeMap<>()).put(decode(p[1]), value.toString());
      } else if (p.length == 3) {
        configs.computeIfAbsent(decode(p[0]), k -> new TreeMap<>())
            .computeIfAbsent(decode(p[1]), k -> new LinkedHashMap<>())
            .put(p[2], value);
      } else {
        throw new IllegalArgumentException("stored client state entry '" + name + "' names no client and key");
      }
    });
    List<Tensor> ownArrays = new ArrayList<>();
    for (Tensor t : merged.arrays().tensors()) {
      if (!t.name().startsWith(PREFIX)) {
        ownArrays.add(t);
        continue;
      }
      String[] p = t.name().substring(PREFIX.length()).split("/", 3);
      if (p.length != 3) {
        throw new IllegalArgumentException("stored client array '" + t.name() + "' names no client and key");
      }
      arrays.computeIfAbsent(decode(p[0]), k -> new TreeMap<>()).computeIfAbsent(decode(p[1]), k -> new ArrayList<>())
          .add(t.renamed(p[2]));
    }
    Map<String, ClientState> clients = new TreeMap<>();
    parts.forEach((id, keys) -> {
      ClientState state = new ClientState();
      keys.forEach((key, has) -> {
        if (has.contains(ARRAYS)) {
          state.putArrays(key, ModelWeights.of(arrays.getOrDefault(id, Map.of()).getOrDefault(key, List.of())));
        }
        if (has.contains(CONFIG)) {
          state.putConfig(key, new Config(configs.getOrDefault(id, Map.of()).getOrDefault(key, Map.of())));
        }
      });
      clients.put(id, state);
    });
    for (String id : union(configs.keySet(), arrays.keySet())) {
      Map<String, String> keys = parts.getOrDefault(id, Map.of());
      Set<String> stored = union(configs.getOrDefault(id, Map.of()).keySet(),
          arrays.getOrDefault(id, Map.of()).keySet());
      for (String key : stored) {
        if (!keys.containsKey(key)) {
          throw new IllegalArgumentException("stored state of client '" + id + "' has entries under key '" + key
              + "' but no marker " + PREFIX + id + "/" + key);
        }
      }
    }
    return new Split(new StrategyState(new Config(own), ModelWeights.of(ownArrays)), clients);
  }

  /**
   * The clients of {@code after} whose state differs from their state in {@code before} (by client id; a client
   * missing from one has an empty state there), with their state in {@code after}: what a checkpoint after
   * {@code before} must store. A client whose state became empty is included, with an empty state.
   */
  public static Map<String, ClientState> changed(Map<String, ClientState> before, Map<String, ClientState> after) {
    Map<String, ClientState> out = new TreeMap<>();
    after.forEach((id, state) -> {
      if (!same(before.get(id), state)) {
        out.put(id, state);
      }
    });
    before.forEach((id, state) -> {
      if (!after.containsKey(id) && !state.isEmpty()) {
        out.put(id, new ClientState());
      }
    });
    return out;
  }

  /** Whether two states hold the same keys, scalars and arrays (null: empty). */
  public static boolean same(ClientState a, ClientState b) {
    ClientState x = a == null ? new ClientState() : a;
    ClientState y = b == null ? new ClientState() : b;
    if (!x.keys().equals(y.keys())) {
      return false;
    }
    for (String key : x.keys()) {
      if (!x.config(key).equals(y.config(key))) {
        return false;
      }
      ModelWeights p = x.arrays(key).orElse(null);
      ModelWeights q = y.arrays(key).orElse(null);
      if (p != q && (p == null || q == null || !p.contentEquals(q))) {
        return false;
      }
    }
    return true;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> out = new TreeSet<>(a);
    out.addAll(b);
    return out;
  }

  /** {@code name} with {@code /} and {@code %} percent-encoded, so that it is one segment of an entry's name. */
  private static String encode(String name) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8);
  }

  private static String decode(String segment) {
    return URLDecoder.decode(segment, StandardCharsets.UTF_8);
  }
}
