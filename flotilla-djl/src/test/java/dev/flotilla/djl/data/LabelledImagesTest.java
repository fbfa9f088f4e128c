package dev.flotilla.djl.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LabelledImagesTest {
  /** Four 2x3 images; image i has pixels 10*i + p and label i. */
  static LabelledImages fourImages() {
    byte[] pixels = new byte[4 * 6];
    for (int i = 0; i < 4; i++) {
      for (int p = 0; p < 6; p++) {
        pixels[i * 6 + p] = (byte) (10 * i + p);
      }
    }
    pixels[0] = (byte) 255;
    return LabelledImages.of(2, 3, pixels, new int[] {0, 1, 2, 3});
  }

  @Test
  void readsPixelsAsUnsignedBytesOver255() {
    LabelledImages images = fourImages();
    assertThat(images.size()).isEqualTo(4);
    assertThat(images.pixelsPerImage()).isEqualTo(6);
    assertThat(images.pixel(0, 0)).isEqualTo(1f);
    assertThat(images.pixel(2, 5)).isCloseTo(25 / 255f, within(0f));
    float[] dst = new float[8];
    images.copyImage(1, dst, 2);
    assertThat(dst).containsExactly(0, 0, 10 / 255f, 11 / 255f, 12 / 255f, 13 / 255f, 14 / 255f, 15 / 255f);
  }

  @Test
  void subsetsShareDataAndCompose() {
    LabelledImages images = fourImages();
    LabelledImages sub = images.subset(new int[] {3, 1, 2});
    assertThat(sub.labels()).containsExactly(3, 1, 2);
    LabelledImages subSub = sub.subset(new int[] {2, 0, 0});
    assertThat(subSub.labels()).containsExactly(2, 3, 3);
    assertThat(subSub.pixel(0, 1)).isEqualTo(21 / 255f);
    assertThat(images.first(2).labels()).containsExactly(0, 1);
    assertThat(images.first(10).size()).isEqualTo(4);
    assertThat(sub.maxLabel()).isEqualTo(3);
  }

  @Test
  void subsetsConvertBackToIdx() {
    LabelledImages sub = fourImages().subset(new int[] {2, 0});
    IdxArray images = sub.imagesIdx();
    assertThat(images.dims()).containsExactly(2, 2, 3);
    assertThat(images.values()).containsExactly(20, 21, 22, 23, 24, 25, -1, 1, 2, 3, 4, 5);
    assertThat(sub.labelsIdx().values()).containsExactly(2, 0);
  }

  @Test
  void rejectsBadInputsNamingTheValue() {
    assertThatThrownBy(() -> fourImages().subset(new int[] {0, 4}))
        .hasMessageContaining("index 4 at position 1");
    assertThatThrownBy(() -> LabelledImages.of(2, 3, new byte[12], new int[] {0, 300}))
        .hasMessageContaining("label 1 is 300");
    assertThatThrownBy(() -> LabelledImages.of(2, 3, new byte[11], new int[] {0, 1}))
        .hasMessageContaining("need 12 pixels, got 11");
    assertThatThrownBy(() -> LabelledImages.fromIdx(
            IdxArray.of(new int[] {2, 1, 1}, new byte[2]), IdxArray.of(new int[] {3}, new byte[3]), "x"))
        .hasMessageContaining("x has 2 images but 3 labels");
  }
}
