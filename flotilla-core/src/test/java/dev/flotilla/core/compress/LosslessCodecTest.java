package dev.flotilla.core.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.core.testing.TestModels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ZstdCodec} and {@link Lz4Codec}, as {@code int8+zstd} and {@code int8+lz4}. */
class LosslessCodecTest {
  private static final List<TensorSpec> SPECS = List.of(new TensorSpec("w", new int[] {64, 64}),
      new TensorSpec("b", new int[] {64}));
  /** An update whose channels each hold one large value and small noise: its int8 values are mostly 0. */
  private static final ModelWeights UPDATE = spiky();

  private static ModelWeights spiky() {
    return ModelWeights.of(TestModels.random(SPECS, 4).tensors().stream().map(t -> {
      float[] v = t.toArray();
      for (int i = 0; i < v.length; i++) {
        v[i] = i % 64 == 0 ? 1 : 0.001f * v[i];
      }
      return Tensor.wrap(t.spec(), v);
    }).toList());
  }

  @ParameterizedTest
  @ValueSource(strings = {"zstd", "lz4"})
  void decodesExactlyWhatTheInnerCodecDecodesInFewerBytes(String compressor) {
    Codec inner = new Int8Codec(false);
    Codec codec = Codecs.parse("int8+" + compressor);
    ModelWeights encoded = codec.encode(UPDATE, new Random(1));
    assertThat(encoded.names()).containsExactly(compressor);
    assertThat(codec.decode(encoded, SPECS).contentEquals(inner.decode(inner.encode(UPDATE, new Random(1)), SPECS)))
        .isTrue();
    assertThat(encoded.byteSize()).isLessThan(inner.encode(UPDATE, new Random(1)).byteSize() / 2);
  }

  @ParameterizedTest
  @ValueSource(strings = {"zstd", "lz4"})
  void refusesAFlippedByteAsCorrupt(String compressor) {
    Codec codec = Codecs.parse("int8+" + compressor);
    byte[] payload = codec.encode(UPDATE, new Random(1)).get(0).toByteArray();
    for (int at = 12; at < payload.length; at += Math.max(1, payload.length / 40)) {
      byte[] corrupt = payload.clone();
      corrupt[at] ^= 0x5a;
      ModelWeights bad = ModelWeights.of(Tensor.ofBytes(compressor, corrupt));
      assertThatThrownBy(() -> codec.decode(bad, SPECS)).as("byte " + at)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("int8+" + compressor + ": the payload is corrupt");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"zstd", "lz4"})
  void refusesADeclaredLengthBeyondWhatTheTensorsNeedBeforeAllocating(String compressor) {
    Codec codec = Codecs.parse("int8+" + compressor);
    byte[] payload = codec.encode(UPDATE, new Random(1)).get(0).toByteArray();
    ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).putInt(4, Integer.MAX_VALUE - 100);
    ModelWeights bomb = ModelWeights.of(Tensor.ofBytes(compressor, payload));
    assertThatThrownBy(() -> codec.decode(bomb, SPECS)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("declares 2147483547 packed bytes; the expected tensors need at most");
  }

  @ParameterizedTest
  @ValueSource(strings = {"zstd", "lz4"})
  void refusesAPayloadShorterThanItsHeaderOrWithoutTheMagicNumber(String compressor) {
    Codec codec = Codecs.parse("int8+" + compressor);
    assertThatThrownBy(() -> codec.decode(ModelWeights.of(Tensor.ofBytes(compressor, new byte[5])), SPECS))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
    assertThatThrownBy(() -> codec.decode(ModelWeights.of(Tensor.ofBytes(compressor, new byte[40])), SPECS))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("magic number");
  }

  @ParameterizedTest
  @ValueSource(strings = {"zstd", "lz4"})
  void refusesPackedArraysThatAreNotTheInnerCodecs(String compressor) {
    Codec fp16 = Codecs.parse("fp16+" + compressor);
    ModelWeights encoded = fp16.encode(UPDATE, new Random(1));
    assertThatThrownBy(() -> Codecs.parse("int8+" + compressor).decode(
        ModelWeights.of(Tensor.wrapBytes(new TensorSpec(compressor, DType.BYTES, encoded.get(0).shape()),
            encoded.get(0).toByteArray())), SPECS))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("int8: ");
  }
}
