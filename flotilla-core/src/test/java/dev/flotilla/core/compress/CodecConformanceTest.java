package dev.flotilla.core.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.core.testing.TestModels;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What every codec that {@link Codecs} makes must do, run against each of them. */
class CodecConformanceTest {
  /** A conv weight, a dense weight, a bias and a scalar: per-channel and per-tensor scales, ranks 0 to 4. */
  private static final List<TensorSpec> SPECS = List.of(new TensorSpec("conv.weight", new int[] {4, 2, 3, 3}),
      new TensorSpec("fc.weight", new int[] {10, 16}), new TensorSpec("fc.bias", new int[] {10}),
      new TensorSpec("scale", new int[] {}));
  private static final ModelWeights VALUES = TestModels.random(SPECS, 7);

  static List<String> names() {
    return List.of("none", "fp16", "bf16", "int8", "int8:stochastic", "topk:0.1", "topk:0.1:noef", "zstd", "lz4",
        "fp16+zstd", "int8+zstd", "int8+zstd:19", "int8:stochastic+lz4", "topk:0.01+zstd", "bf16+lz4");
  }

  private static ModelWeights encode(Codec codec) {
    return codec.encode(VALUES, new Random(1));
  }

  @ParameterizedTest
  @MethodSource("names")
  void theNameParsesBackToTheSameCodec(String name) {
    Codec codec = Codecs.parse(name);
    assertThat(Codecs.parse(codec.name()).name()).isEqualTo(codec.name());
  }

  @ParameterizedTest
  @MethodSource("names")
  void decodesToFiniteFloat32TensorsOfTheSpecsInTheirOrder(String name) {
    Codec codec = Codecs.parse(name);
    ModelWeights decoded = codec.decode(encode(codec), SPECS);
    assertThat(decoded.specs()).isEqualTo(SPECS);
    for (Tensor t : decoded.tensors()) {
      assertThat(t.firstNonFinite()).isEqualTo(-1);
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void encodingIsDeterministicForTheSameRandomSource(String name) {
    Codec codec = Codecs.parse(name);
    assertThat(encode(codec).contentEquals(encode(codec))).isTrue();
  }

  @ParameterizedTest
  @MethodSource("names")
  void anEncodedArrayNamesItsTensorAndIsNeverAPlainFloat32Tensor(String name) {
    for (Tensor t : encode(Codecs.parse(name)).tensors()) {
      assertThat(VALUES.has(t.name())).as(t.name()).isFalse();
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void zerosDecodeToZeros(String name) {
    Codec codec = Codecs.parse(name);
    ModelWeights zeros = ModelWeights.zeros(SPECS);
    assertThat(codec.decode(codec.encode(zeros, new Random(1)), SPECS).contentEquals(zeros)).isTrue();
  }

  @ParameterizedTest
  @MethodSource("names")
  void aPartOfTheModelDecodesToThatPart(String name) {
    Codec codec = Codecs.parse(name);
    ModelWeights part = VALUES.filter(n -> n.startsWith("fc."));
    assertThat(codec.decode(codec.encode(part, new Random(1)), SPECS).names()).containsExactly("fc.weight", "fc.bias");
  }

  @ParameterizedTest
  @MethodSource("names")
  void lossyCodecsSendFewerBytesThanFloat32(String name) {
    Codec codec = Codecs.parse(name);
    long bytes = encode(codec).byteSize();
    if (!name.startsWith("none") && !name.equals("zstd") && !name.equals("lz4")) {
      assertThat(bytes).isLessThan(VALUES.byteSize() * 7 / 10);
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void declaredSpecsAreTheTensorsOfADenseCodecAndRefusedByASparseOne(String name) {
    Codec codec = Codecs.parse(name);
    ModelWeights encoded = encode(codec);
    if (codec.sparse()) {
      assertThatThrownBy(() -> codec.declaredSpecs(encoded)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("sparse");
    } else {
      assertThat(codec.declaredSpecs(encoded)).isEqualTo(SPECS);
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void refusesInputThatIsNotFiniteFloat32(String name) {
    Codec codec = Codecs.parse(name);
    ModelWeights nan = TestModels.withValue(VALUES, 1, 5, Float.NaN);
    assertThatThrownBy(() -> codec.encode(nan, new Random(1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fc.weight").hasMessageContaining("non-finite");
    ModelWeights ints = ModelWeights.of(Tensor.ofInts("n", new int[] {2}, new int[] {1, 2}));
    assertThatThrownBy(() -> codec.encode(ints, new Random(1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'n'").hasMessageContaining("float32");
  }

  @ParameterizedTest
  @MethodSource("names")
  void refusesAnArrayCutShortWithTheCodecAndArrayNamed(String name) {
    Codec codec = Codecs.parse(name);
    ModelWeights encoded = encode(codec);
    for (Tensor t : encoded.tensors()) {
      ModelWeights truncated = encoded.replacing(ModelWeights.of(shorter(t)));
      assertThatThrownBy(() -> codec.decode(truncated, SPECS)).as(t.name())
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(codec.name());
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void refusesAnArrayOfAnotherTypeWithTheTensorNamed(String name) {
    Codec codec = Codecs.parse(name);
    ModelWeights encoded = encode(codec);
    for (Tensor t : encoded.tensors()) {
      DType other = t.dtype() == DType.INT32 ? DType.FLOAT32 : DType.INT32;
      ModelWeights misdeclared = encoded.replacing(ModelWeights.of(Tensor.zeros(t.spec().withDtype(other))));
      assertThatThrownBy(() -> codec.decode(misdeclared, SPECS)).as(t.name())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(t.dtype() == DType.BYTES ? "bytes" : "should be " + t.dtype());
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void refusesAnArrayThatBelongsToNoExpectedTensor(String name) {
    Codec codec = Codecs.parse(name);
    ModelWeights encoded = encode(codec);
    List<TensorSpec> fewer = SPECS.subList(1, SPECS.size());
    assertThatThrownBy(() -> codec.decode(encoded, fewer)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("conv.weight");
  }

  @ParameterizedTest
  @MethodSource("names")
  void aMissingArrayIsRefusedOrLeavesItsTensorOut(String name) {
    Codec codec = Codecs.parse(name);
    ModelWeights encoded = encode(codec);
    for (Tensor t : encoded.tensors()) {
      ModelWeights without = encoded.filter(n -> !n.equals(t.name()));
      try {
        assertThat(codec.decode(without, SPECS).count()).as(t.name()).isLessThan(SPECS.size());
      } catch (IllegalArgumentException e) {
        assertThat(e.getMessage()).startsWith(codec.name());
      }
    }
  }

  /** {@code t} with one element fewer, as one dimension. */
  private static Tensor shorter(Tensor t) {
    byte[] bytes = t.toByteArray();
    int n = Math.max(0, t.size() - 1);
    byte[] cut = new byte[n * t.dtype().byteSize()];
    System.arraycopy(bytes, 0, cut, 0, cut.length);
    return Tensor.wrapBytes(new TensorSpec(t.name(), t.dtype(), new int[] {n}), cut);
  }
}
