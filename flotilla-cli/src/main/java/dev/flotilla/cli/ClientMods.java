package dev.flotilla.cli;

import dev.flotilla.core.attack.Attack;
import dev.flotilla.core.attack.ByzantineAttack;
import dev.flotilla.core.attack.ByzantineMod;
import dev.flotilla.core.client.ClientMod;
import dev.flotilla.core.compress.CompressionMod;
import dev.flotilla.core.he.PaillierMod;
import dev.flotilla.core.personal.LocalLayersMod;
import dev.flotilla.core.privacy.DpClipMod;
import dev.flotilla.core.privacy.DpSettings;
import dev.flotilla.core.privacy.LocalDpMod;
import dev.flotilla.core.secagg.SecAggPlusMod;
import dev.flotilla.sim.VirtualClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;

/**
 * The client mods of the CLI, the same for a deployed client ({@code flotilla client --mod SPEC}) and for the virtual
 * clients of {@code flotilla simulate}. Every client runs {@link SecAggPlusMod} outermost (it answers the stages of
 * secure aggregation and masks the update the other mods made) and {@link PaillierMod} (the same for encrypted
 * aggregation), {@link CompressionMod} and {@link LocalLayersMod}
 * next (each does nothing unless the server names a codec or local layers), then the mods asked for, innermost
 * last; an attack mod sits next to the app, so that it sees the model the app trained, and compression encodes what
 * the other mods made.
 *
 * <p>Mod specs: {@code byzantine:ATTACK}, with ATTACK one of {@value Attack#KNOWN}, makes the client Byzantine (for
 * robustness trials only); {@code dp-clip} clips this client's update to the norm a server with
 * {@code --dp central-client-clip} asks for ({@link DpClipMod}); {@code local-dp:clip=C,noise=Z[,delta=D][,epsilon=E]} clips this client's update to
 * {@code C} and adds noise {@code Z·C} before it leaves, refusing to train once its ε at δ (default 1e-5) would pass
 * {@code E} ({@link LocalDpMod}).
 */
final class ClientMods {
  private ClientMods() {}

  /** The mods of a deployed client given {@code specs} (repeatable {@code --mod}); {@code seed} seeds any noise. */
  static List<ClientMod> parse(List<String> specs, long seed) {
    List<ClientMod> mods = new ArrayList<>();
    mods.add(new SecAggPlusMod());
    mods.add(new PaillierMod());
    mods.add(new CompressionMod());
    mods.add(new LocalLayersMod());
    for (String spec : specs) {
      mods.add(parseOne(spec, seed));
    }
    return List.copyOf(mods);
  }

  /** As {@link #forSimulation(List, ByzantineAttack, long, List)} without privacy mods. */
  static Function<VirtualClient, List<ClientMod>> forSimulation(List<VirtualClient> clients,
      ByzantineAttack byzantine, long seed) {
    return forSimulation(clients, byzantine, seed, List.of());
  }

  /**
   * The mods of each virtual client: {@link LocalLayersMod}, then {@code privacy} (the mods that differential privacy
   * puts on every client), and for the first {@code byzantine.count()} clients (in partition order) the attack.
   */
  static Function<VirtualClient, List<ClientMod>> forSimulation(List<VirtualClient> clients,
      ByzantineAttack byzantine, long seed, List<ClientMod> privacy) {
    Set<String> attackers = new HashSet<>();
    if (byzantine != null) {
      if (byzantine.count() > clients.size()) {
        throw new IllegalArgumentException("--byzantine " + byzantine + ": " + byzantine.count()
            + " Byzantine clients of only " + clients.size());
      }
      clients.subList(0, byzantine.count()).forEach(c -> attackers.add(c.id()));
    }
    List<ClientMod> honest = new ArrayList<>();
    honest.add(new SecAggPlusMod());
    honest.add(new PaillierMod());
    honest.add(new CompressionMod());
    honest.add(new LocalLayersMod());
    honest.addAll(privacy);
    List<ClientMod> attacking = new ArrayList<>(honest);
    if (byzantine != null) {
      attacking.add(byzantine.mod(seed));
    }
    List<ClientMod> honestMods = List.copyOf(honest);
    List<ClientMod> attackingMods = List.copyOf(attacking);
    return client -> attackers.contains(client.id()) ? attackingMods : honestMods;
  }

  private static ClientMod parseOne(String spec, long seed) {
    String prefix = "byzantine:";
    if (spec.startsWith(prefix)) {
      return new ByzantineMod(Attack.parse(spec.substring(prefix.length())), seed);
    }
    if (spec.equals("dp-clip")) {
      return new DpClipMod();
    }
    if (spec.startsWith(LOCAL_DP)) {
      return localDp(spec);
    }
    throw new IllegalArgumentException("unknown client mod '" + spec + "'; known: byzantine:ATTACK with ATTACK one of "
        + Attack.KNOWN + ", dp-clip, and " + LOCAL_DP + "clip=C,noise=Z[,delta=D][,epsilon=E]");
  }

  private static final String LOCAL_DP = "local-dp:";

  /** {@code local-dp:clip=C,noise=Z[,delta=D][,epsilon=E]}: this client's own local DP, with secure noise. */
  private static LocalDpMod localDp(String spec) {
    Map<String, Double> values = new HashMap<>();
    for (String part : spec.substring(LOCAL_DP.length()).split(",")) {
      String[] kv = part.split("=", 2);
      if (kv.length != 2 || !Set.of("clip", "noise", "delta", "epsilon").contains(kv[0].strip())) {
        throw new IllegalArgumentException("bad client mod '" + spec + "': expected " + LOCAL_DP
            + "clip=C,noise=Z[,delta=D][,epsilon=E], got '" + part + "'");
      }
      try {
        values.put(kv[0].strip(), Double.parseDouble(kv[1].strip()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad client mod '" + spec + "': '" + kv[1] + "' is not a number");
      }
    }
    if (!values.containsKey("clip") || !values.containsKey("noise")) {
      throw new IllegalArgumentException("client mod '" + spec + "' needs clip=C and noise=Z");
    }
    return new LocalDpMod(new LocalDpMod.Settings(values.get("clip"), values.get("noise"),
        values.getOrDefault("delta", DpSettings.DEFAULT_DELTA),
        values.containsKey("epsilon") ? OptionalDouble.of(values.get("epsilon")) : OptionalDouble.empty(),
        OptionalLong.empty()));
  }
}
