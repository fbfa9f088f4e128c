package dev.flotilla.core.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ByzantineAttackTest {
  @Test
  void parsesEachAttack() {
    assertThat(ByzantineAttack.parse("4:signflip")).isEqualTo(new ByzantineAttack(4, new SignFlip()));
    assertThat(ByzantineAttack.parse("4:scale:10")).isEqualTo(new ByzantineAttack(4, new ScaledUpdate(10)));
    assertThat(ByzantineAttack.parse("2:gaussian:0.5")).isEqualTo(new ByzantineAttack(2, new GaussianNoise(0.5)));
    assertThat(ByzantineAttack.parse("3:labelflip")).isEqualTo(new ByzantineAttack(3, new LabelFlip()));
    assertThat(ByzantineAttack.parse("0:signflip").count()).isZero();
  }

  @Test
  void toStringReadsBack() {
    ByzantineAttack attack = ByzantineAttack.parse("4:scale:10");
    assertThat(ByzantineAttack.parse(attack.toString())).isEqualTo(attack);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "4:foo           | unknown attack 'foo'; known: signflip, scale:FACTOR, gaussian:STD, labelflip",
      "4:              | no attack given",
      "-1:signflip     | must be >= 0, got -1",
      "x:signflip      | count 'x' is not a whole number",
      "signflip        | is not COUNT:ATTACK",
      "2:gaussian:0    | STD must be positive and finite, got 0.0",
      "2:gaussian:-1   | STD must be positive and finite, got -1.0",
      "2:gaussian      | needs a STD",
      "2:scale         | needs a FACTOR",
      "2:scale:abc     | FACTOR 'abc' is not a number",
      "2:scale:NaN     | FACTOR must be finite",
      "2:signflip:3    | takes no parameter, got 'signflip:3'",
      "2:labelflip:yes | takes no parameter"})
  void badSpecsGiveOneLineNamingTheSpec(String spec, String problem) {
    assertThatThrownBy(() -> ByzantineAttack.parse(spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + spec + "'")
        .hasMessageContaining(problem)
        .hasMessageNotContaining("\n");
  }

  @Test
  void aNegativeCountIsRejectedByTheRecordToo() {
    assertThatThrownBy(() -> new ByzantineAttack(-3, new SignFlip())).hasMessageContaining("-3");
  }
}
