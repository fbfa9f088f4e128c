package dev.flotilla.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Speed factors of virtual clients, drawn from a seed. */
class ClientSpeedsTest {
  private static List<String> ids(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add("client-" + i);
    }
    return out;
  }

  @Test
  void stragglersAreExactlyTheFractionAskedAndRepeatForASeedInAnyOrder() {
    ClientSpeeds a = ClientSpeeds.parse("stragglers:0.2:10", ids(100), 5);
    List<String> reversed = ids(100);
    Collections.reverse(reversed);
    ClientSpeeds b = ClientSpeeds.parse("stragglers:0.2:10", reversed, 5);
    assertThat(a.slowClients()).isEqualTo(20);
    for (String id : ids(100)) {
      assertThat(a.slowdown(id)).isIn(1.0, 10.0).isEqualTo(b.slowdown(id));
    }
    ClientSpeeds other = ClientSpeeds.parse("stragglers:0.2:10", ids(100), 6);
    assertThat(ids(100).stream().anyMatch(id -> other.slowdown(id) != a.slowdown(id))).isTrue();
  }

  @Test
  void lognormalFactorsHaveMedianAboutOne() {
    ClientSpeeds s = ClientSpeeds.parse("lognormal:1", ids(1001), 1);
    List<Double> f = ids(1001).stream().map(s::slowdown).sorted().toList();
    assertThat(f.get(500)).isBetween(0.85, 1.15);
    assertThat(f.get(0)).isPositive();
    assertThat(f.get(1000) / f.get(0)).isGreaterThan(10); // sites differ more than tenfold
  }

  @Test
  void uniformIsOneForEveryone() {
    ClientSpeeds s = ClientSpeeds.parse("uniform", ids(3), 1);
    assertThat(s.slowdown("client-2")).isEqualTo(1);
    assertThat(s.slowClients()).isZero();
  }

  @Test
  void badSpecsAreNamed() {
    assertThatThrownBy(() -> ClientSpeeds.parse("fast", ids(2), 1)).hasMessageContaining("'fast'")
        .hasMessageContaining("stragglers:FRACTION:SLOWDOWN");
    assertThatThrownBy(() -> ClientSpeeds.parse("stragglers:1.5:10", ids(2), 1)).hasMessageContaining("FRACTION");
    assertThatThrownBy(() -> ClientSpeeds.parse("stragglers:0.5:0.5", ids(2), 1)).hasMessageContaining("SLOWDOWN");
    assertThatThrownBy(() -> ClientSpeeds.parse("lognormal:x", ids(2), 1)).hasMessageContaining("lognormal:x");
  }
}
