package dev.flotilla.core.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CodecsTest {
  @Test
  void parsesEveryFormAndNamesItBack() {
    assertThat(Codecs.parse("int8")).isInstanceOf(Int8Codec.class);
    assertThat(((Int8Codec) Codecs.parse("int8:stochastic")).stochastic()).isTrue();
    assertThat(Codecs.parse("FP16").name()).isEqualTo("fp16");
    assertThat(Codecs.parse("bf16")).isInstanceOf(Bfloat16Codec.class);
    TopKCodec topk = (TopKCodec) Codecs.parse("topk:0.01");
    assertThat(topk.ratio()).isEqualTo(0.01);
    assertThat(topk.errorFeedback()).isTrue();
    assertThat(Codecs.parse("topk:1e-3:noef").name()).isEqualTo("topk:0.001:noef");
    assertThat(Codecs.parse("topk:1e-3:noef").errorFeedback()).isFalse();
    assertThat(Codecs.parse("int8+zstd").name()).isEqualTo("int8+zstd");
    assertThat(Codecs.parse("int8+zstd:9").name()).isEqualTo("int8+zstd:9");
    assertThat(Codecs.parse("topk:0.1+lz4").errorFeedback()).isTrue();
    assertThat(Codecs.parse("topk:0.1+lz4").sparse()).isTrue();
    assertThat(Codecs.parse("zstd").name()).isEqualTo("none+zstd");
    assertThat(Codecs.parse("lz4").name()).isEqualTo("none+lz4");
  }

  @Test
  void aBadNameGetsAOneLineErrorNamingIt() {
    for (String bad : new String[] {"int4", "int8:sometimes", "topk", "fp16:x", "int8+gzip", "int8+zstd+lz4", ""}) {
      assertThatThrownBy(() -> Codecs.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + bad + "'");
    }
    assertThatThrownBy(() -> Codecs.parse("topk:lots")).hasMessage(
        "codec 'topk:lots': the top-k ratio 'lots' is not a number");
    assertThatThrownBy(() -> Codecs.parse("topk:2")).hasMessage("topk: the ratio must be in (0, 1], got 2.0");
    assertThatThrownBy(() -> Codecs.parse("int8+zstd:99")).hasMessage("zstd: the level must be in 1..19, got 99");
  }
}
