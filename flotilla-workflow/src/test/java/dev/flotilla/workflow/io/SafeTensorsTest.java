package dev.flotilla.workflow.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
  @TempDir Path dir;

  private static ModelWeights tiny() {
    return ModelWeights.of(List.of(
        Tensor.of("a", new int[] {2}, new float[] {1.0f, -2.0f}),
        Tensor.of("b", new int[] {}, new float[] {0.5f})));
  }

  /** A file of the given header text (unpadded) followed by {@code data}. */
  private Path file(String json, byte[] data) throws IOException {
    byte[] header = json.getBytes(StandardCharsets.UTF_8);
    ByteBuffer bytes = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    bytes.putLong(header.length).put(header).put(data);
    return Files.write(dir.resolve("hand.safetensors"), bytes.array());
  }

  @Test
  void writesTheStandardByteLayout() throws IOException {
    Path path = dir.resolve("tiny.safetensors");
    SafeTensors.write(path, tiny());

    String json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]}}";
    assertThat(json.length()).isEqualTo(107); // padded with 5 spaces to 112
    ByteBuffer expected = ByteBuffer.allocate(8 + 112 + 12).order(ByteOrder.LITTLE_ENDIAN);
    expected.putLong(112).put((json + "     ").getBytes(StandardCharsets.US_ASCII));
    expected.put(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0, 0, 0, 0, 0x3f}); // 1, -2, 0.5
    assertThat(Files.readAllBytes(path)).isEqualTo(expected.array());
  }

  @Test
  void writesMetadataFirstAndReadsItBack() throws IOException {
    Path path = dir.resolve("meta.safetensors");
    SafeTensors.write(path, tiny(), Map.of("round", "3"));

    String text = new String(Files.readAllBytes(path), StandardCharsets.ISO_8859_1);
    assertThat(text.substring(8)).startsWith("{\"__metadata__\":{\"round\":\"3\"},\"a\":");
    assertThat(Files.size(path) % 8).isEqualTo(12 % 8);
    assertThat(SafeTensors.readMetadata(path)).isEqualTo(Map.of("round", "3"));
    assertThat(SafeTensors.read(path).contentEquals(tiny())).isTrue();
  }

  @Test
  void roundTripsEveryBitAcrossChunkBoundaries() throws IOException {
    Random random = new Random(1);
    float[] big = new float[700_001]; // 2.8 MB: crosses the 1 MiB buffer twice, ends mid-chunk
    for (int i = 0; i < big.length; i++) {
      big[i] = (float) random.nextGaussian();
    }
    float[] special = {Float.NaN, -0.0f, Float.POSITIVE_INFINITY, Float.MIN_VALUE, -Float.MAX_VALUE};
    ModelWeights weights = ModelWeights.of(List.of(
        Tensor.of("conv1.weight", new int[] {7, 100_000, 1}, Arrays.copyOf(big, 700_000)),
        Tensor.of("empty", new int[] {3, 0}, new float[0]),
        Tensor.of("special", new int[] {5}, special),
        Tensor.of("tail", new int[] {1}, new float[] {big[700_000]})));
    Path path = dir.resolve("model.safetensors");

    SafeTensors.write(path, weights);
    ModelWeights back = SafeTensors.read(path);

    assertThat(back.specs()).isEqualTo(weights.specs());
    assertThat(back.contentEquals(weights)).isTrue();
    assertThat(Files.size(path) % 8).isEqualTo(weights.byteSize() % 8);
    assertThat(SafeTensors.readMetadata(path)).isEmpty();
  }

  @Test
  void replacesAnExistingFileAndLeavesNoTemporaryFile() throws IOException {
    Path path = dir.resolve("model.safetensors");
    Files.writeString(path, "old");
    SafeTensors.write(path, tiny());

    assertThat(SafeTensors.read(path).contentEquals(tiny())).isTrue();
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(path);
    }
  }

  @Test
  void failsWithoutLeavingATemporaryFileWhenTheDirectoryIsMissing() {
    assertThatThrownBy(() -> SafeTensors.write(dir.resolve("no/such/model.safetensors"), tiny()))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> SafeTensors.write(dir.resolve("m"), ModelWeights.of(
        List.of(Tensor.of("__metadata__", new int[] {1}, new float[1])))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("__metadata__");
    assertThat(dir.toFile().list()).isEmpty();
  }

  @Test
  void readsTensorsInDataOrderWhateverTheHeaderOrder() throws IOException {
    Path path = file("{\"__metadata__\":{\"format\":\"pt\"},"
        + "\"second\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
        + "\"first\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4]}}   ",
        new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0x40});

    ModelWeights weights = SafeTensors.read(path);

    assertThat(weights.tensors()).extracting(Tensor::name).containsExactly("first", "second");
    assertThat(weights.get(0).shape()).containsExactly(1, 1);
    assertThat(weights.get(0).get(0)).isEqualTo(1.0f);
    assertThat(weights.get(1).get(0)).isEqualTo(2.0f);
    assertThat(SafeTensors.readMetadata(path)).containsEntry("format", "pt");
  }

  @Test
  void rejectsFilesTooShortForTheirHeader() throws IOException {
    Path empty = Files.write(dir.resolve("empty"), new byte[0]);
    assertThatThrownBy(() -> SafeTensors.read(empty)).isInstanceOf(FlotillaException.class)
        .hasMessageContaining("0 bytes long");
    Path garbage = Files.write(dir.resolve("garbage"), "this is not a safetensors file".getBytes());
    assertThatThrownBy(() -> SafeTensors.read(garbage)).isInstanceOf(FlotillaException.class)
        .hasMessageContaining("declares a header of").hasMessageContaining("garbage");
  }

  @Test
  void rejectsATruncatedFile() throws IOException {
    Path path = dir.resolve("model.safetensors");
    SafeTensors.write(path, tiny());
    byte[] bytes = Files.readAllBytes(path);
    Files.write(path, Arrays.copyOf(bytes, bytes.length - 2));

    assertThatThrownBy(() -> SafeTensors.read(path)).isInstanceOf(FlotillaException.class)
        .hasMessageContaining("ends at byte 12 but the file holds 10 bytes");
    Files.write(path, Arrays.copyOf(bytes, 50));
    assertThatThrownBy(() -> SafeTensors.read(path)).isInstanceOf(FlotillaException.class)
        .hasMessageContaining("header of 112 bytes");
  }

  @Test
  void rejectsTrailingBytes() throws IOException {
    Path path = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[6]);
    assertThatThrownBy(() -> SafeTensors.read(path)).hasMessageContaining("ends at byte 4 but the file holds 6");
  }

  @Test
  void rejectsHeadersThatAreNotJsonObjects() throws IOException {
    assertThatThrownBy(() -> SafeTensors.read(file("{\"a\": [1, 2", new byte[0])))
        .isInstanceOf(FlotillaException.class).hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> SafeTensors.read(file("[1, 2]  ", new byte[0])))
        .isInstanceOf(FlotillaException.class).hasMessageContaining("not a JSON object");
    assertThatThrownBy(() -> SafeTensors.read(file("{} {}", new byte[0])))
        .isInstanceOf(FlotillaException.class).hasMessageContaining("text after");
    byte[] latin1 = "{\"\u00e9\":1}".getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> SafeTensors.read(file(new String(latin1, StandardCharsets.ISO_8859_1), new byte[0])))
        .isInstanceOf(FlotillaException.class);
  }

  @Test
  void rejectsDtypesOtherThanF32NamingThem() throws IOException {
    Path path = file("{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[4]);
    assertThatThrownBy(() -> SafeTensors.read(path)).isInstanceOf(FlotillaException.class)
        .hasMessageContaining("'h'").hasMessageContaining("F16").hasMessageContaining("only F32");
  }

  @Test
  void rejectsAShapeThatDoesNotMatchItsBytes() throws IOException {
    Path path = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", new byte[20]);
    assertThatThrownBy(() -> SafeTensors.read(path)).isInstanceOf(FlotillaException.class)
        .hasMessageContaining("'w' of shape [2, 3]").hasMessageContaining("needs 24 bytes").hasMessageContaining("20");
  }

  @Test
  void rejectsGapsOverlapsAndBadOffsets() throws IOException {
    String gap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
    assertThatThrownBy(() -> SafeTensors.read(file(gap, new byte[12])))
        .hasMessageContaining("'b' data starts at byte 8, expected 4");
    String overlap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
    assertThatThrownBy(() -> SafeTensors.read(file(overlap, new byte[8])))
        .hasMessageContaining("starts at byte 4, expected 8");
    String negative = "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}";
    assertThatThrownBy(() -> SafeTensors.read(file(negative, new byte[4])))
        .hasMessageContaining("'shape'").hasMessageContaining("-1");
    String missing = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}";
    assertThatThrownBy(() -> SafeTensors.read(file(missing, new byte[4])))
        .hasMessageContaining("'data_offsets' as an array of 2 integers, got null");
    String huge = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296],\"data_offsets\":[0,4]}}";
    assertThatThrownBy(() -> SafeTensors.read(file(huge, new byte[4])))
        .hasMessageContaining("too large");
  }

  @Test
  void rejectsMetadataThatIsNotStrings() throws IOException {
    Path path = file("{\"__metadata__\":{\"round\":3}}", new byte[0]);
    assertThatThrownBy(() -> SafeTensors.readMetadata(path)).hasMessageContaining("'round' must be a string");
  }
}
