package dev.flotilla.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.flotilla.djl.data.LabelledImages;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.function.IntUnaryOperator;

/**
 * Turns runs of examples into the native arrays of one batch without allocating per batch: pixels and labels are
 * written into two direct buffers allocated once, and the arrays are created over those buffers. The PyTorch engine
 * wraps a direct buffer without copying it, so the arrays of a batch are valid only until the next call; callers
 * close each batch's manager (which also frees the autograd graph that refers to them) before assembling the next.
 * Not thread-safe.
 */
final class BatchAssembler {
  private final int maxBatch;
  private final int rows;
  private final int cols;
  private final ByteBuffer imageBytes;
  private final FloatBuffer imageFloats;
  private final ByteBuffer labelBytes;
  private final LongBuffer labelLongs;
  private final float[] scratch;
  private final long[] labelScratch;

  BatchAssembler(int maxBatch, int rows, int cols) {
    this.maxBatch = maxBatch;
    this.rows = rows;
    this.cols = cols;
    int pixels = rows * cols;
    this.imageBytes = ByteBuffer.allocateDirect(Math.multiplyExact(maxBatch, pixels * Float.BYTES))
        .order(ByteOrder.nativeOrder());
    this.imageFloats = imageBytes.asFloatBuffer();
    this.labelBytes = ByteBuffer.allocateDirect(maxBatch * Long.BYTES).order(ByteOrder.nativeOrder());
    this.labelLongs = labelBytes.asLongBuffer();
    this.scratch = new float[maxBatch * pixels];
    this.labelScratch = new long[maxBatch];
  }

  /** The largest batch this assembler takes. */
  int maxBatch() {
    return maxBatch;
  }

  /**
   * Images {@code [count, 1, rows, cols]} (float32) and labels {@code [count, 1]} (int64) of the examples
   * {@code order[from .. from+count)} of {@code data} (or {@code from .. from+count) when {@code order} is null),
   * attached to {@code scope}. Each label {@code y} of the data becomes {@code labelMap.applyAsInt(y)} on its way
   * into the batch, which lets training use other labels without copying the data set.
   */
  NDList assemble(NDManager scope, LabelledImages data, int[] order, int from, int count, IntUnaryOperator labelMap) {
    if (count < 1 || count > maxBatch) {
      throw new IllegalArgumentException("batch of " + count + " examples, expected 1.." + maxBatch);
    }
    int pixels = rows * cols;
    for (int k = 0; k < count; k++) {
      int example = order == null ? from + k : order[from + k];
      data.copyImage(example, scratch, k * pixels);
      labelScratch[k] = labelMap.applyAsInt(data.label(example));
    }
    imageFloats.clear();
    imageFloats.put(scratch, 0, count * pixels);
    labelLongs.clear();
    labelLongs.put(labelScratch, 0, count);
    imageBytes.limit(count * pixels * Float.BYTES);
    labelBytes.limit(count * Long.BYTES);
    NDArray images = scope.create(imageBytes, new Shape(count, 1, rows, cols), DataType.FLOAT32);
    NDArray labels = scope.create(labelBytes, new Shape(count, 1), DataType.INT64);
    return new NDList(images, labels);
  }

  /** Index of the largest of the {@code width} values of row {@code row} in {@code logits} (first one on ties). */
  static int argMax(float[] logits, int row, int width) {
    int base = row * width;
    int best = 0;
    for (int j = 1; j < width; j++) {
      if (logits[base + j] > logits[base + best]) {
        best = j;
      }
    }
    return best;
  }
}
