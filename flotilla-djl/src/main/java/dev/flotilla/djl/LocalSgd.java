package dev.flotilla.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.flotilla.djl.data.LabelledImages;
import java.util.Random;

/**
 * Mini-batch SGD with cross-entropy loss over local data: the loop behind {@link DjlClientApp#train}. A hand-written
 * loop rather than DJL's {@code Trainer}: per batch it makes one forward pass, one backward pass and one fused
 * update call per parameter, and nothing else crosses into native code.
 *
 * <p>Each epoch visits the examples in a fresh random order (the last batch may be smaller) drawn from one
 * {@link Random} seeded from the client's seed and the round, so a rerun with the same inputs repeats exactly.
 */
final class LocalSgd {
  /** Loss and accuracy over the last epoch, per example. */
  record Outcome(double meanLoss, double accuracy, double seconds) {}

  private LocalSgd() {}

  static Outcome run(DjlModel model, LabelledImages data, TrainingConfig config, long seed, BatchAssembler batches) {
    long start = System.nanoTime();
    int n = data.size();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Random random = new Random(shuffleSeed(seed, config.round()));
    NDList parameters = model.parameters();
    float lr = (float) config.lr();
    float momentum = (float) config.momentum();
    int classes = model.network().numClasses();
    double lossSum = 0;
    long correct = 0;
    try (NDManager call = model.manager().newSubManager()) {
      NDList velocities = momentum == 0f ? null : zerosLike(call, parameters);
      for (NDArray p : parameters) {
        p.setRequiresGradient(true);
        Autograd.zeroGradient(p);
      }
      for (int epoch = 0; epoch < config.localEpochs(); epoch++) {
        shuffle(order, random);
        lossSum = 0;
        correct = 0;
        for (int from = 0; from < n; from += config.batchSize()) {
          int count = Math.min(config.batchSize(), n - from);
          try (NDManager scope = call.newSubManager()) {
            NDList batch = batches.assemble(scope, data, order, from, count);
            NDArray logits;
            NDArray loss;
            boolean previous = Autograd.setEnabled(true);
            try {
              logits = model.forward(batch.get(0));
              loss = logits.logSoftmax(1).gather(batch.get(1), 1).mean().neg();
              Autograd.backward(loss);
            } finally {
              Autograd.setEnabled(previous);
            }
            for (int i = 0; i < parameters.size(); i++) {
              NDArray p = parameters.get(i);
              try (NDArray gradient = p.getGradient()) {
                Autograd.sgdStep(p, gradient, velocities == null ? null : velocities.get(i), lr, momentum);
              }
              Autograd.zeroGradient(p);
            }
            lossSum += (double) loss.getFloat() * count;
            float[] out = logits.toFloatArray();
            for (int k = 0; k < count; k++) {
              if (BatchAssembler.argMax(out, k, classes) == data.label(order[from + k])) {
                correct++;
              }
            }
          }
        }
      }
    } finally {
      for (NDArray p : parameters) {
        p.setRequiresGradient(false);
      }
    }
    return new Outcome(lossSum / n, (double) correct / n, (System.nanoTime() - start) / 1e9);
  }

  /** A well-mixed seed for the shuffling of {@code round}: the SplitMix64 finaliser of seed and round. */
  static long shuffleSeed(long seed, long round) {
    long z = seed * 0x9E3779B97F4A7C15L + round;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Fisher–Yates shuffle. */
  static void shuffle(int[] a, Random random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  private static NDList zerosLike(NDManager manager, NDList arrays) {
    NDList out = new NDList(arrays.size());
    for (NDArray a : arrays) {
      out.add(manager.zeros(a.getShape(), a.getDataType()));
    }
    return out;
  }
}
