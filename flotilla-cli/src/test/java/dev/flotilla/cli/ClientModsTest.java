package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.attack.ByzantineAttack;
import dev.flotilla.core.attack.ByzantineMod;
import dev.flotilla.core.attack.SignFlip;
import dev.flotilla.core.client.ClientMod;
import dev.flotilla.core.compress.CompressionMod;
import dev.flotilla.core.he.PaillierMod;
import dev.flotilla.core.personal.LocalLayersMod;
import dev.flotilla.core.secagg.SecAggPlusMod;
import dev.flotilla.sim.VirtualClient;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientModsTest {
  @Test
  void aDeployedClientRunsSecureAggregationCompressionAndPersonalLayersFirstThenTheModsAsked() {
    List<ClientMod> mods = ClientMods.parse(List.of("byzantine:signflip"), 1);
    assertThat(mods).hasSize(5);
    assertThat(mods.get(0)).isInstanceOf(SecAggPlusMod.class);
    assertThat(mods.get(1)).isInstanceOf(PaillierMod.class);
    assertThat(mods.get(2)).isInstanceOf(CompressionMod.class);
    assertThat(mods.get(3)).isInstanceOf(LocalLayersMod.class);
    assertThat(((ByzantineMod) mods.get(4)).attack()).isEqualTo(new SignFlip());
    assertThat(ClientMods.parse(List.of(), 1)).hasSize(4);
  }

  @Test
  void anUnknownModIsNamedWithTheKnownOnes() {
    assertThatThrownBy(() -> ClientMods.parse(List.of("compress:int8"), 1))
        .hasMessageContaining("unknown client mod 'compress:int8'").hasMessageContaining("byzantine:ATTACK");
    assertThatThrownBy(() -> ClientMods.parse(List.of("byzantine:flip"), 1)).hasMessageContaining("flip");
  }

  @Test
  void theFirstClientsOfTheSimulationAreTheByzantineOnes() {
    List<VirtualClient> clients = VirtualClient.fromPartition(
        List.of(new int[] {0}, new int[] {1}, new int[] {2}), null);
    var mods = ClientMods.forSimulation(clients, ByzantineAttack.parse("2:signflip"), 7);
    assertThat(mods.apply(clients.get(0))).hasSize(5);
    assertThat(mods.apply(clients.get(1))).hasSize(5);
    assertThat(mods.apply(clients.get(2))).hasSize(4);
    assertThat(mods.apply(clients.get(2)).get(0)).isInstanceOf(SecAggPlusMod.class);
    assertThat(mods.apply(clients.get(2)).get(2)).isInstanceOf(CompressionMod.class);
    assertThat(ClientMods.forSimulation(clients, null, 7).apply(clients.get(0))).hasSize(4);
  }
}
