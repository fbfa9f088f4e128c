package dev.flotilla.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultStreamTest {
  @Test
  void mapIsLazyAndKeepsTheFailures() {
    List<String> applied = new ArrayList<>();
    ClientFailure late = new ClientFailure("c", ClientFailure.Kind.TIMEOUT, "late");
    ResultStream<Integer> source = ResultStream.of(List.of(new ClientResult<>("a", 1), new ClientResult<>("b", 2)),
        List.of(late));

    ResultStream<String> mapped = source.map(r -> {
      applied.add(r.clientId());
      return new ClientResult<>(r.clientId(), "v" + r.result() * 10);
    });
    Iterator<ClientResult<String>> it = mapped.iterator();

    assertThat(applied).isEmpty();
    assertThat(it.next()).isEqualTo(new ClientResult<>("a", "v10"));
    assertThat(applied).containsExactly("a");
    assertThat(it.next()).isEqualTo(new ClientResult<>("b", "v20"));
    assertThat(it.hasNext()).isFalse();
    assertThat(mapped.failures()).containsExactly(late);
  }
}
