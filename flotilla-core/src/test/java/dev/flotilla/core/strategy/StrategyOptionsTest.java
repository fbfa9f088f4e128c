package dev.flotilla.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class StrategyOptionsTest {
  @Test
  void defaults() {
    StrategyOptions d = StrategyOptions.defaults();
    assertThat(d.proximalMu()).isEqualTo(0.01);
    assertThat(d.serverLr()).isEmpty(); // per algorithm
    assertThat(d.beta1()).isEmpty();
    assertThat(d.tau()).isEmpty();
    assertThat(d.serverMomentum()).isEqualTo(0.0);
    assertThat(d.beta2()).isEqualTo(0.99);
    assertThat(d.q()).isEqualTo(0.2);
    assertThat(d.qLipschitz()).isEqualTo(10.0);
    assertThat(d.trimBeta()).isEqualTo(0.2);
    assertThat(d.byzantineF()).isZero();
    assertThat(d.multiKrumM()).isZero();
  }

  static Stream<Arguments> outOfRange() {
    return Stream.of(
        Arguments.of((UnaryOperator<StrategyOptions.Builder>) b -> b.proximalMu(-0.1),
            "proximalMu must be >= 0 and finite, got -0.1"),
        Arguments.of((UnaryOperator<StrategyOptions.Builder>) b -> b.serverLr(0),
            "serverLr must be positive and finite, got 0.0"),
        Arguments.of((UnaryOperator<StrategyOptions.Builder>) b -> b.serverLr(Double.NaN),
            "serverLr must be positive and finite, got NaN"),
        Arguments.of((UnaryOperator<StrategyOptions.Builder>) b -> b.serverMomentum(1),
            "serverMomentum must be in [0, 1), got 1.0"),
        Arguments.of((UnaryOperator<StrategyOptions.Builder>) b -> b.beta1(1.5), "beta1 must be in [0, 1), got 1.5"),
        Arguments.of((UnaryOperator<StrategyOptions.Builder>) b -> b.beta2(-0.01),
            "beta2 must be in [0, 1), got -0.01"),
        Arguments.of((UnaryOperator<StrategyOptions.Builder>) b -> b.tau(0), "tau must be positive and finite, got 0.0"),
        Arguments.of((UnaryOperator<StrategyOptions.Builder>) b -> b.q(-1), "q must be >= 0 and finite, got -1.0"),
        Arguments.of((UnaryOperator<StrategyOptions.Builder>) b -> b.qLipschitz(0),
            "qLipschitz must be positive and finite, got 0.0"),
        Arguments.of((UnaryOperator<StrategyOptions.Builder>) b -> b.trimBeta(0.5),
            "trimBeta (the trim fraction) must be in [0, 0.5), got 0.5"),
        Arguments.of((UnaryOperator<StrategyOptions.Builder>) b -> b.trimBeta(-0.1),
            "trimBeta (the trim fraction) must be in [0, 0.5), got -0.1"),
        Arguments.of((UnaryOperator<StrategyOptions.Builder>) b -> b.byzantineF(-1), "byzantineF must be >= 0, got -1"),
        Arguments.of((UnaryOperator<StrategyOptions.Builder>) b -> b.multiKrumM(-2),
            "multiKrumM must be >= 0 (0 means n - f), got -2"));
  }

  @ParameterizedTest
  @MethodSource("outOfRange")
  void outOfRangeValuesAreRefusedInOneLineNamingThem(UnaryOperator<StrategyOptions.Builder> set, String message) {
    assertThatThrownBy(() -> set.apply(StrategyOptions.builder()).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }
}
