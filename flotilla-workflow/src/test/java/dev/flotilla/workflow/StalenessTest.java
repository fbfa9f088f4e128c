package dev.flotilla.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Staleness weights on values computed by hand. */
class StalenessTest {
  @Test
  void constantCountsEveryResultFully() {
    assertThat(Staleness.parse("constant").weight(0)).isEqualTo(1);
    assertThat(Staleness.parse("constant").weight(50)).isEqualTo(1);
  }

  @Test
  void polynomialIsOnePlusStalenessToTheMinusA() {
    Staleness s = Staleness.parse("polynomial:0.5");
    assertThat(s.weight(0)).isEqualTo(1);
    assertThat(s.weight(3)).isCloseTo(0.5, within(1e-12)); // (1 + 3)^-0.5
    assertThat(Staleness.parse("polynomial:1").weight(4)).isCloseTo(0.2, within(1e-12));
  }

  @Test
  void hingeIsOneUpToTheCutoffThenFalls() {
    Staleness s = Staleness.parse("hinge:2:3");
    assertThat(s.weight(0)).isEqualTo(1);
    assertThat(s.weight(3)).isEqualTo(1);
    assertThat(s.weight(4)).isCloseTo(1 / 3.0, within(1e-12)); // 1 / (2 (4 - 3) + 1)
    assertThat(s.weight(8)).isCloseTo(1 / 11.0, within(1e-12));
  }

  @Test
  void specsReadBack() {
    for (String spec : new String[] {"constant", "polynomial:0.5", "hinge:2.0:3.0"}) {
      assertThat(Staleness.parse(Staleness.parse(spec).spec()).spec()).isEqualTo(Staleness.parse(spec).spec());
    }
  }

  @Test
  void badSpecsAreNamed() {
    assertThatThrownBy(() -> Staleness.parse("linear:1")).hasMessageContaining("'linear:1'")
        .hasMessageContaining("polynomial:A");
    assertThatThrownBy(() -> Staleness.parse("polynomial:x")).hasMessageContaining("polynomial:x");
    assertThatThrownBy(() -> Staleness.parse("polynomial:-1")).hasMessageContaining("-1");
    assertThatThrownBy(() -> Staleness.parse("hinge:1")).hasMessageContaining("hinge:A:B");
    assertThatThrownBy(() -> Staleness.constant().weight(-1)).hasMessageContaining("-1");
  }

  @Test
  void functionsWithTheSameWeightsAreTheSameHoweverWritten() {
    assertThat(Staleness.parse("polynomial:0.5").sameWeights(Staleness.parse("polynomial:0.50"))).isTrue();
    assertThat(Staleness.parse("polynomial:0").sameWeights(Staleness.constant())).isTrue();
    assertThat(Staleness.parse("polynomial:-0").sameWeights(Staleness.parse("polynomial:0.0"))).isTrue();
    assertThat(Staleness.parse("hinge:0:4").sameWeights(Staleness.constant())).isTrue();
    assertThat(Staleness.parse("hinge:2:3").sameWeights(Staleness.parse("hinge:2.0:3.00"))).isTrue();
    assertThat(Staleness.parse("hinge:2:-0").sameWeights(Staleness.parse("hinge:2:0"))).isTrue();
    assertThat(Staleness.parse("polynomial:0.5").sameWeights(Staleness.parse("polynomial:0.6"))).isFalse();
    assertThat(Staleness.parse("hinge:2:3").sameWeights(Staleness.parse("hinge:2:4"))).isFalse();
    assertThat(Staleness.parse("polynomial:1").sameWeights(Staleness.parse("hinge:1:0"))).isFalse();
  }
}
