package dev.flotilla.djl;

import dev.flotilla.core.client.Context;
import dev.flotilla.core.client.TrainEvaluateApp;
import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.djl.data.ClientDataFolder;
import dev.flotilla.djl.data.LabelledImages;
import dev.flotilla.djl.model.Models;
import dev.flotilla.djl.model.Network;

/**
 * A {@link TrainEvaluateApp} that trains and evaluates one of the {@link Models} on local labelled images with DJL's
 * PyTorch engine, on one compute thread (see {@link PyTorchRuntime}).
 *
 * <p>{@link #train}: loads the sent weights, runs {@link TrainingConfig#localEpochs()} epochs of mini-batch SGD with
 * cross-entropy loss as the instructions' config says (keys {@code lr}, {@code momentum}, {@code batch_size},
 * {@code local_epochs}, {@code round}, FedProx's {@code proximal_mu} and the {@code label_flip} attack; see
 * {@link TrainingConfig}), and returns the trained weights (with the buffers, such as batch-norm running statistics,
 * as the training passes left them), the number of local training examples, and the metrics {@code train_loss} and
 * {@code train_accuracy} (means over the last epoch, measured on the fly during it) and {@code train_seconds}. The shuffling is seeded from this client's seed and the
 * round, and libtorch on one CPU thread is deterministic, so the same instructions give bit-identical weights.
 * Momentum buffers live for one call (a fresh optimiser each round, as in FedAvg). If the calling thread is
 * interrupted (a deployed client does so when the request is cancelled or its deadline passes), training stops before
 * the next batch with a {@link java.util.concurrent.CancellationException}.
 *
 * <p>{@link #evaluate}: loss and {@code accuracy} of the sent weights on the local test examples if there are any,
 * else on the training examples, in batches of {@value #EVALUATION_BATCH}.
 *
 * <p>The {@link Context} is not read: every call starts from the weights in its message and keeps nothing but
 * reusable native buffers, so the app behaves the same whether it lives for one message or for the whole run.
 *
 * <p>Threading and resources: calls are serialised (the SDK makes one at a time anyway); different instances may
 * run on different threads at once. The instance holds native memory for one copy of the model plus its gradients
 * and a few reusable batch buffers; each call frees what it allocates, and {@link #close()} frees the rest. The
 * data sets are shared, never copied or modified.
 */
public final class DjlClientApp implements TrainEvaluateApp, AutoCloseable {
  /** Examples per batch in {@link #evaluate}. */
  public static final int EVALUATION_BATCH = 100;

  private final Network network;
  private final LabelledImages train;
  private final LabelledImages test;
  private final long seed;
  private final DjlModel model;
  private BatchAssembler trainBatches;
  private BatchAssembler evaluationBatches;
  private boolean closed;

  /** A client of model {@code model} (such as {@code "cnn"}) on {@code train}, evaluating on it too. */
  public DjlClientApp(String model, LabelledImages train, long seed) {
    this(model, train, null, seed);
  }

  /**
   * A client of model {@code model} (such as {@code "cnn"}) that trains on {@code train} and evaluates on
   * {@code test}, or on {@code train} when {@code test} is null. Loads the PyTorch engine if needed.
   *
   * @param seed seeds the per-round shuffling; give each client its own
   */
  public DjlClientApp(String model, LabelledImages train, LabelledImages test, long seed) {
    this.network = Models.network(model);
    checkData(network, train, "training");
    if (test != null) {
      checkData(network, test, "test");
    }
    this.train = train;
    this.test = test;
    this.seed = seed;
    this.model = new DjlModel(network);
  }

  /** A client on the data of a client folder: its training files, and its test files when present. */
  public static DjlClientApp fromFolder(String model, ClientDataFolder folder, long seed) {
    return new DjlClientApp(model, folder.train(), folder.test().orElse(null), seed);
  }

  @Override
  public synchronized TrainResult train(TrainInstructions instructions, Context context) {
    checkOpen();
    TrainingConfig config = TrainingConfig.from(instructions.config());
    model.load(instructions.model());
    if (trainBatches == null || trainBatches.maxBatch() < config.batchSize()) {
      trainBatches = new BatchAssembler(config.batchSize(), network.rows(), network.cols());
    }
    LocalSgd.Outcome outcome = LocalSgd.run(model, train, config, seed, trainBatches);
    ModelWeights trained = model.weights();
    Metrics metrics = Metrics.of(
        "train_loss", outcome.meanLoss(),
        "train_accuracy", outcome.accuracy(),
        "train_seconds", outcome.seconds());
    return new TrainResult(trained, train.size(), metrics);
  }

  @Override
  public synchronized EvaluateResult evaluate(EvaluateInstructions instructions, Context context) {
    checkOpen();
    model.load(instructions.model());
    if (evaluationBatches == null) {
      evaluationBatches = new BatchAssembler(EVALUATION_BATCH, network.rows(), network.cols());
    }
    return BatchEvaluation.run(model, test != null ? test : train, evaluationBatches, EVALUATION_BATCH);
  }

  /** Number of local training examples, the weight of this client in FedAvg. */
  public int numTrainExamples() {
    return train.size();
  }

  /** Frees the native memory; later calls fail. Idempotent. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      model.close();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("DjlClientApp for model '" + network.name() + "' is closed");
    }
  }

  static void checkData(Network network, LabelledImages data, String what) {
    if (data.size() == 0) {
      throw new IllegalArgumentException("the " + what + " data set is empty");
    }
    if (data.rows() != network.rows() || data.cols() != network.cols()) {
      throw new IllegalArgumentException("model '" + network.name() + "' takes " + network.rows() + "x"
          + network.cols() + " images, the " + what + " data has " + data.rows() + "x" + data.cols());
    }
    if (data.maxLabel() >= network.numClasses()) {
      throw new IllegalArgumentException("model '" + network.name() + "' has " + network.numClasses()
          + " classes, the " + what + " data has label " + data.maxLabel());
    }
  }
}
