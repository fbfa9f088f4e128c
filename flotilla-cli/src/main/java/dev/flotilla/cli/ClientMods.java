package dev.flotilla.cli;

import dev.flotilla.core.attack.Attack;
import dev.flotilla.core.attack.ByzantineAttack;
import dev.flotilla.core.attack.ByzantineMod;
import dev.flotilla.core.client.ClientMod;
import dev.flotilla.core.compress.CompressionMod;
import dev.flotilla.core.personal.LocalLayersMod;
import dev.flotilla.sim.VirtualClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The client mods of the CLI, the same for a deployed client ({@code flotilla client --mod SPEC}) and for the virtual
 * clients of {@code flotilla simulate}. Every client runs {@link CompressionMod} first and {@link LocalLayersMod}
 * second (each does nothing unless the server names a codec or local layers), then the mods asked for, innermost
 * last; an attack mod sits next to the app, so that it sees the model the app trained, and compression encodes what
 * the other mods made.
 *
 * <p>Mod specs: {@code byzantine:ATTACK}, with ATTACK one of {@value Attack#KNOWN}, makes the client Byzantine (for
 * robustness trials only).
 */
final class ClientMods {
  private ClientMods() {}

  /** The mods of a deployed client given {@code specs} (repeatable {@code --mod}); {@code seed} seeds any noise. */
  static List<ClientMod> parse(List<String> specs, long seed) {
    List<ClientMod> mods = new ArrayList<>();
    mods.add(new CompressionMod());
    mods.add(new LocalLayersMod());
    for (String spec : specs) {
      mods.add(parseOne(spec, seed));
    }
    return List.copyOf(mods);
  }

  /**
   * The mods of each virtual client: {@link CompressionMod}, {@link LocalLayersMod}, and for the first
   * {@code byzantine.count()} clients (in partition order) the attack.
   */
  static Function<VirtualClient, List<ClientMod>> forSimulation(List<VirtualClient> clients,
      ByzantineAttack byzantine, long seed) {
    Set<String> attackers = new HashSet<>();
    if (byzantine != null) {
      if (byzantine.count() > clients.size()) {
        throw new IllegalArgumentException("--byzantine " + byzantine + ": " + byzantine.count()
            + " Byzantine clients of only " + clients.size());
      }
      clients.subList(0, byzantine.count()).forEach(c -> attackers.add(c.id()));
    }
    return client -> attackers.contains(client.id())
        ? List.of(new CompressionMod(), new LocalLayersMod(), byzantine.mod(seed))
        : List.of(new CompressionMod(), new LocalLayersMod());
  }

  private static ClientMod parseOne(String spec, long seed) {
    String prefix = "byzantine:";
    if (spec.startsWith(prefix)) {
      return new ByzantineMod(Attack.parse(spec.substring(prefix.length())), seed);
    }
    throw new IllegalArgumentException("unknown client mod '" + spec + "'; known: byzantine:ATTACK with ATTACK one of "
        + Attack.KNOWN);
  }
}
