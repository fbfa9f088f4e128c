package dev.flotilla.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NaturalOrderTest {
  @Test
  void numbersInIdsCompareByValue() {
    List<String> ids = new ArrayList<>(List.of("client-10", "client-2", "b", "client-1", "a7", "a10", "client-02"));
    ids.sort(NaturalOrder::compare);
    assertThat(ids).containsExactly("a7", "a10", "b", "client-1", "client-2", "client-02", "client-10");
  }

  @Test
  void aPrefixComesFirst() {
    assertThat(NaturalOrder.compare("c", "c1")).isNegative();
    assertThat(NaturalOrder.compare("c1", "c1")).isZero();
    assertThat(NaturalOrder.compare("c12x", "c12")).isPositive();
  }
}
