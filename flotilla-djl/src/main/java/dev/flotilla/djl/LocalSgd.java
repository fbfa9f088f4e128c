package dev.flotilla.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.flotilla.core.random.Seeds;
import dev.flotilla.djl.data.LabelledImages;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.function.IntUnaryOperator;

/**
 * Mini-batch SGD with cross-entropy loss over local data: the loop behind {@link DjlClientApp#train}. A hand-written
 * loop rather than DJL's {@code Trainer}: per batch it makes one forward pass (in training mode, so normalisation
 * layers update their running statistics), one backward pass and three in-place native calls per trained parameter
 * (scale the gradient, subtract it, zero it), and nothing else crosses into native code. Buffers are not trained.
 *
 * <p>With {@link TrainingConfig#proximalMu()} μ > 0 this is FedProx's local solver (Li et al., "Federated
 * Optimization in Heterogeneous Networks", MLSys 2020): it minimises the loss plus {@code μ/2 ||w - w_global||²},
 * whose gradient {@code μ (w - w_global)} is added in place to each parameter's gradient before the SGD step, from
 * a native copy of the parameters this call started with. With μ = 0 none of this happens, and the arithmetic is
 * exactly that of plain SGD. With {@link TrainingConfig#labelFlip()} the batches carry label
 * {@code numClasses - 1 - y} instead of {@code y}; loss and accuracy are measured against the labels trained on.
 *
 * <p>Each epoch visits the examples in a fresh random order (the last batch may be smaller) drawn from one
 * {@link Random} seeded from the client's seed and the round, so a rerun with the same inputs repeats exactly.
 * One instance serves one call of {@link #run}.
 *
 * <p>Before each batch the loop checks whether its thread was interrupted, as a client does when the request was
 * cancelled or its deadline passed, and if so stops with a {@link CancellationException}; the model is then left
 * part-trained (the next call loads the weights it is sent).
 */
final class LocalSgd {
  /** Mean loss and accuracy per example over the last epoch, and the wall-clock time of the whole run. */
  record Outcome(double meanLoss, double accuracy, double seconds) {}

  private final DjlModel model;
  private final LabelledImages data;
  private final TrainingConfig config;
  private final BatchAssembler batches;
  private final IntUnaryOperator labelMap;
  private final float lr;
  private final float momentum;
  private final float mu;
  /** Per tensor: the momentum buffer of a trained parameter, or null (a buffer, or no momentum). */
  private final NDArray[] velocities;
  /** Per tensor: the value a trained parameter started this call with, for FedProx, or null. */
  private final NDArray[] anchors;
  private double lossSum;
  private long correct;

  private LocalSgd(DjlModel model, LabelledImages data, TrainingConfig config, BatchAssembler batches) {
    this.model = model;
    this.data = data;
    this.config = config;
    this.batches = batches;
    int classes = model.network().numClasses();
    this.labelMap = config.labelFlip() ? y -> classes - 1 - y : IntUnaryOperator.identity();
    this.lr = (float) config.lr();
    this.momentum = (float) config.momentum();
    this.mu = (float) config.proximalMu();
    this.velocities = new NDArray[model.parameters().size()];
    this.anchors = new NDArray[model.parameters().size()];
  }

  /** Trains {@code model} in place on {@code data}; {@code batches} must take {@code config.batchSize()}. */
  static Outcome run(DjlModel model, LabelledImages data, TrainingConfig config, long seed, BatchAssembler batches) {
    return new LocalSgd(model, data, config, batches).train(new Random(shuffleSeed(seed, config.round())));
  }

  /** The seed of the shuffling of {@code round}: seed and round mixed by SplitMix64, see {@link Seeds#mix}. */
  static long shuffleSeed(long seed, long round) {
    return Seeds.mix(seed * Seeds.GOLDEN_GAMMA + round);
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
      for (int i = 0; i < parameters.size(); i++) {
        if (model.isTrainable(i)) {
          NDArray p = parameters.get(i);
          if (momentum != 0f) {
            velocities[i] = call.zeros(p.getShape(), p.getDataType());
          }
          if (mu > 0f) {
            anchors[i] = p.duplicate();
            anchors[i].attach(call);
          }
          p.setRequiresGradient(true);
          Autograd.zeroGradient(p);
        }
      }
      for (int epoch = 0; epoch < config.localEpochs(); epoch++) {
        Seeds.shuffle(order, random);
        lossSum = 0;
        correct = 0;
        for (int from = 0; from < n; from += config.batchSize()) {
          if (Thread.currentThread().isInterrupted()) {
            throw new CancellationException("training was cancelled in epoch " + (epoch + 1) + " after "
                + from / config.batchSize() + " batches");
          }
          try (NDManager scope = call.newSubManager()) {
            step(scope, order, from, Math.min(config.batchSize(), n - from));
          }
        }
      }
    } finally {
      for (int i = 0; i < parameters.size(); i++) {
        if (model.isTrainable(i)) {
          parameters.get(i).setRequiresGradient(false);
        }
      }
      Autograd.setEnabled(previousGradMode);
    }
    return new Outcome(lossSum / n, (double) correct / n, (System.nanoTime() - start) / 1e9);
  }

  /** One SGD step on the examples {@code order[from .. from+count)}; every new array goes to {@code scope}. */
  private void step(NDManager scope, int[] order, int from, int count) {
    NDList batch = batches.assemble(scope, data, order, from, count, labelMap);
    NDArray logits;
    NDArray loss;
    Autograd.setEnabled(true);
    try {
      logits = model.forward(batch.get(0), true);
      loss = logits.logSoftmax(1).gather(batch.get(1), 1).mean().neg();
      Autograd.backward(loss);
    } finally {
      Autograd.setEnabled(false);
    }
    NDList parameters = model.parameters();
    for (int i = 0; i < parameters.size(); i++) {
      if (!model.isTrainable(i)) {
        continue;
      }
      NDArray p = parameters.get(i);
      try (NDArray gradient = p.getGradient()) {
        if (anchors[i] != null) {
          Autograd.addProximalGradient(gradient, p, anchors[i], mu);
        }
        Autograd.sgdStep(p, gradient, velocities[i], lr, momentum);
      }
      Autograd.zeroGradient(p);
    }
    lossSum += (double) loss.getFloat() * count;
    float[] out = logits.toFloatArray();
    int classes = model.network().numClasses();
    for (int k = 0; k < count; k++) {
      if (BatchAssembler.argMax(out, k, classes) == labelMap.applyAsInt(data.label(order[from + k]))) {
        correct++;
      }
    }
  }
}
