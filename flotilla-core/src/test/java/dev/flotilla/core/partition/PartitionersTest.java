package dev.flotilla.core.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PartitionersTest {
  @Test
  void parsesEveryScheme() {
    assertThat(Partitioners.parse("iid")).isInstanceOf(IidPartitioner.class);
    assertThat(Partitioners.parse("IID")).isInstanceOf(IidPartitioner.class);
    assertThat(Partitioners.parse("dirichlet:0.5")).isEqualTo(new DirichletPartitioner(0.5, 10));
    assertThat(Partitioners.parse(" dirichlet:0.1:20 ")).isEqualTo(new DirichletPartitioner(0.1, 20));
    assertThat(Partitioners.parse("shards:2")).isEqualTo(new ShardPartitioner(2));
    assertThat(Partitioners.parse("sizeskew:1.5")).isEqualTo(new SizeSkewPartitioner(1.5));
  }

  @Test
  void specsReadAsTheyParse() {
    assertThat(Partitioners.parse("dirichlet:0.5").spec()).isEqualTo("dirichlet:0.5");
    assertThat(Partitioners.parse("dirichlet:0.5:20").spec()).isEqualTo("dirichlet:0.5:20");
    assertThat(Partitioners.parse("shards:2").spec()).isEqualTo("shards:2");
    assertThat(Partitioners.parse("sizeskew:1.5").spec()).isEqualTo("sizeskew:1.5");
  }

  @Test
  void unknownSchemeIsNamedWithTheAlternatives() {
    assertThatThrownBy(() -> Partitioners.parse("pathological:2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'pathological'")
        .hasMessageContaining(Partitioners.SCHEMES);
  }

  @Test
  void badOptionsAreNamed() {
    assertThatThrownBy(() -> Partitioners.parse("dirichlet")).hasMessageContaining("'dirichlet' takes 1 or 2 options");
    assertThatThrownBy(() -> Partitioners.parse("iid:3")).hasMessageContaining("'iid' takes 0 options, got 1");
    assertThatThrownBy(() -> Partitioners.parse("dirichlet:half")).hasMessageContaining("'half' is not a number");
    assertThatThrownBy(() -> Partitioners.parse("shards:1.5")).hasMessageContaining("'1.5' is not an integer");
    assertThatThrownBy(() -> Partitioners.parse("dirichlet:-1"))
        .hasMessageContaining("'dirichlet:-1'").hasMessageContaining("got -1.0");
    assertThatThrownBy(() -> Partitioners.parse("")).hasMessageContaining("no partition scheme");
  }
}
