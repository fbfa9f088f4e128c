package dev.flotilla.djl.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.FlotillaException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderWriterTest {
  @TempDir Path dir;

  private static IdxArray sample() {
    byte[] values = new byte[3 * 2 * 4];
    for (int i = 0; i < values.length; i++) {
      values[i] = (byte) (i * 11);
    }
    return IdxArray.of(new int[] {3, 2, 4}, values);
  }

  @Test
  void writesTheStandardHeaderAndReadsItBack() throws IOException {
    Path file = dir.resolve("images-idx3-ubyte");
    IdxWriter.write(file, sample());

    byte[] raw = Files.readAllBytes(file);
    assertThat(Arrays.copyOf(raw, 16)).containsExactly(0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 4);
    assertThat(raw).hasSize(16 + 24);
    IdxArray back = IdxReader.read(file);
    assertThat(back.dims()).containsExactly(3, 2, 4);
    assertThat(back.values()).containsExactly(sample().values());
  }

  @Test
  void readsGzippedFilesByMagicNumberWhateverTheirName() throws IOException {
    Path plain = dir.resolve("plain");
    IdxWriter.write(plain, sample());
    Path gz = dir.resolve("no-gz-suffix");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(Files.readAllBytes(plain));
    }
    assertThat(IdxReader.read(gz).values()).containsExactly(sample().values());
  }

  @Test
  void rejectsABadMagicNumberNamingTheFile() throws IOException {
    Path file = dir.resolve("not-idx.txt");
    Files.write(file, "hello, world".getBytes());
    assertThatThrownBy(() -> IdxReader.read(file))
        .isInstanceOf(FlotillaException.class)
        .hasMessageContaining("not an IDX file")
        .hasMessageContaining("not-idx.txt")
        .hasMessageContaining("0x68656C6C");
  }

  @Test
  void rejectsElementTypesOtherThanUnsignedByte() throws IOException {
    Path file = dir.resolve("floats");
    Files.write(file, new byte[] {0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0});
    assertThatThrownBy(() -> IdxReader.read(file)).hasMessageContaining("element type 0x0D");
  }

  @Test
  void rejectsATruncatedFileSayingHowMuchIsMissing() throws IOException {
    Path file = dir.resolve("whole");
    IdxWriter.write(file, sample());
    byte[] raw = Files.readAllBytes(file);
    Path truncated = dir.resolve("truncated");
    Files.write(truncated, Arrays.copyOf(raw, raw.length - 5));
    assertThatThrownBy(() -> IdxReader.read(truncated))
        .hasMessageContaining("truncated IDX file")
        .hasMessageContaining("need 24 bytes")
        .hasMessageContaining("only 19");

    Path headerOnly = dir.resolve("header-only");
    Files.write(headerOnly, Arrays.copyOf(raw, 9));
    assertThatThrownBy(() -> IdxReader.read(headerOnly)).hasMessageContaining("ends inside them");
  }

  @Test
  void reportsAMissingFile() {
    assertThatThrownBy(() -> IdxReader.read(dir.resolve("absent")))
        .isInstanceOf(FlotillaException.class)
        .hasMessageContaining("not found")
        .hasMessageContaining("absent");
  }

  @Test
  void checksThatDimensionsMatchTheValues() {
    assertThatThrownBy(() -> IdxArray.of(new int[] {2, 3}, new byte[5])).hasMessageContaining("need 6 values, got 5");
  }
}
