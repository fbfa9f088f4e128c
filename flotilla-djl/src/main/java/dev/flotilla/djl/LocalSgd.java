package dev.flotilla.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.flotilla.djl.data.LabelledImages;
import java.util.Random;

/**
 * Mini-batch SGD with cross-entropy loss over local data: the loop behind {@link DjlClientApp#train}. A hand-written
 * loop rather than DJL's {@code Trainer}: per batch it makes one forward pass, one backward pass and three in-place
 * native calls per parameter (scale the gradient, subtract it, zero it), and nothing else crosses into native code.
 *
 * <p>Each epoch visits the examples in a fresh random order (the last batch may be smaller) drawn from one
 * {@link Random} seeded from the client's seed and the round, so a rerun with the same inputs repeats exactly.
 * One instance serves one call of {@link #run}.
 */
final class LocalSgd {
  /** Mean loss and accuracy per example over the last epoch, and the wall-clock time of the whole run. */
  record Outcome(double meanLoss, double accuracy, double seconds) {}

  private final DjlModel model;
  private final LabelledImages data;
  private final TrainingConfig config;
  private final BatchAssembler batches;
  private final float lr;
  private final float momentum;
  private NDList velocities;
  private double lossSum;
  private long correct;

  private LocalSgd(DjlModel model, LabelledImages data, TrainingConfig config, BatchAssembler batches) {
    this.model = model;
    this.data = data;
    this.config = config;
    this.batches = batches;
    this.lr = (float) config.lr();
    this.momentum = (float) config.momentum();
  }

  /** Trains {@code model} in place on {@code data}; {@code batches} must take {@code config.batchSize()}. */
  static Outcome run(DjlModel model, LabelledImages data, TrainingConfig config, long seed, BatchAssembler batches) {
    return new LocalSgd(model, data, config, batches).train(new Random(shuffleSeed(seed, config.round())));
  }

  private Outcome train(Random random) {
    long start = System.nanoTime();
    int n = data.size();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    NDList parameters = model.parameters();
    boolean previousGradMode = Autograd.setEnabled(false);
    try (NDManager call = model.manager().newSubManager()) {
      velocities = momentum == 0f ? null : zerosLike(call, parameters);
      for (NDArray p : parameters) {
        p.setRequiresGradient(true);
        Autograd.zeroGradient(p);
      }
      for (int epoch = 0; epoch < config.localEpochs(); epoch++) {
        shuffle(order, random);
        lossSum = 0;
        correct = 0;
        for (int from = 0; from < n; from += config.batchSize()) {
          try (NDManager scope = call.newSubManager()) {
            step(scope, order, from, Math.min(config.batchSize(), n - from));
          }
        }
      }
    } finally {
      for (NDArray p : parameters) {
        p.setRequiresGradient(false);
      }
      Autograd.setEnabled(previousGradMode);
    }
    return new Outcome(lossSum / n, (double) correct / n, (System.nanoTime() - start) / 1e9);
  }

  /** One SGD step on the examples {@code order[from .. from+count)}; every new array goes to {@code scope}. */
  private void step(NDManager scope, int[] order, int from, int count) {
    NDList batch = batches.assemble(scope, data, order, from, count);
    NDArray logits;
    NDArray loss;
    Autograd.setEnabled(true);
    try {
      logits = model.forward(batch.get(0));
      loss = logits.logSoftmax(1).gather(batch.get(1), 1).mean().neg();
      Autograd.backward(loss);
    } finally {
      Autograd.setEnabled(false);
    }
    NDList parameters = model.parameters();
    for (int i = 0; i < parameters.size(); i++) {
      NDArray p = parameters.get(i);
      try (NDArray gradient = p.getGradient()) {
        Autograd.sgdStep(p, gradient, velocities == null ? null : velocities.get(i), lr, momentum);
      }
      Autograd.zeroGradient(p);
    }
    lossSum += (double) loss.getFloat() * count;
    float[] out = logits.toFloatArray();
    int classes = model.network().numClasses();
    for (int k = 0; k < count; k++) {
      if (BatchAssembler.argMax(out, k, classes) == data.label(order[from + k])) {
        correct++;
      }
    }
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
