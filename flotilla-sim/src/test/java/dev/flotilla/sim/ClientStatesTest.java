package dev.flotilla.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.client.ClientState;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.strategy.StrategyState;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientStatesTest {
  @Test
  void clientStatesGoInBesideTheStrategysAndComeBackApart() {
    StrategyState strategy = new StrategyState(Config.of("step", 3L),
        ModelWeights.of(Tensor.of("m/fc.weight", new int[] {2}, new float[] {1, 2})));
    ClientState a = new ClientState();
    a.putArrays("compress/residual", ModelWeights.of(Tensor.of("fc.weight", new int[] {2}, new float[] {0.5f, -1})));
    a.putConfig("local-dp", Config.of("participations", 4L, "epsilon", 0.25));
    ClientState b = new ClientState();
    b.putConfig("empty", Config.empty());
    b.putArrays("keys", ModelWeights.of(Tensor.ofBytes("p", new byte[] {7, 8})));

    StrategyState merged = ClientStates.merge(strategy, Map.of("client-0", a, "client/1", b));
    ClientStates.Split split = ClientStates.split(merged);

    assertThat(split.strategy().scalars()).isEqualTo(strategy.scalars());
    assertThat(split.strategy().arrays().contentEquals(strategy.arrays())).isTrue();
    assertThat(split.clients()).containsOnlyKeys("client-0", "client/1");
    ClientState a2 = split.clients().get("client-0");
    assertThat(a2.keys()).containsExactly("compress/residual", "local-dp");
    assertThat(a2.arrays("compress/residual").orElseThrow().contentEquals(a.arrays("compress/residual").orElseThrow()))
        .isTrue();
    assertThat(a2.config("local-dp")).contains(a.config("local-dp").orElseThrow());
    ClientState b2 = split.clients().get("client/1");
    assertThat(b2.config("empty")).contains(Config.empty());
    assertThat(b2.arrays("keys").orElseThrow().get("p").toByteArray()).containsExactly(7, 8);
  }

  @Test
  void aStrategyStateWithoutClientsSplitsIntoItselfAndAClashIsRefused() {
    StrategyState plain = new StrategyState(Config.of("k", 1L), ModelWeights.empty());
    assertThat(ClientStates.split(plain).clients()).isEmpty();
    assertThat(ClientStates.split(plain).strategy().scalars()).isEqualTo(plain.scalars());
    assertThatThrownBy(() -> ClientStates.merge(new StrategyState(Config.of("clients/x", 1L), ModelWeights.empty()),
        Map.of())).hasMessageContaining("clients/");
  }

  @Test
  void onlyClientsWhoseStateDiffersAreChangedAndOneThatBecameEmptyIsToo() {
    ClientState kept = new ClientState();
    kept.putArrays("ef", ModelWeights.of(Tensor.of("w", new int[] {2}, new float[] {1, 2})));
    ClientState sameContent = new ClientState();
    sameContent.putArrays("ef", ModelWeights.of(Tensor.of("w", new int[] {2}, new float[] {1, 2})));
    ClientState newArrays = new ClientState();
    newArrays.putArrays("ef", ModelWeights.of(Tensor.of("w", new int[] {2}, new float[] {1, 3})));
    ClientState scalars = new ClientState();
    scalars.putConfig("dp", Config.of("steps", 1L));
    ClientState moreScalars = new ClientState();
    moreScalars.putConfig("dp", Config.of("steps", 2L));

    Map<String, ClientState> before = Map.of("a", kept, "b", kept, "c", scalars, "d", scalars, "e", kept);
    Map<String, ClientState> after = Map.of("a", kept, "b", sameContent, "c", moreScalars, "d", new ClientState(),
        "e", newArrays, "f", new ClientState(), "g", scalars);
    Map<String, ClientState> changed = ClientStates.changed(before, after);

    assertThat(changed).containsOnlyKeys("c", "d", "e", "g");
    assertThat(changed.get("d").isEmpty()).isTrue();
    assertThat(changed.get("e")).isSameAs(newArrays);
    assertThat(ClientStates.changed(Map.of("gone", scalars), Map.of())).containsOnlyKeys("gone");
    assertThat(ClientStates.same(null, new ClientState())).isTrue();
  }
}
