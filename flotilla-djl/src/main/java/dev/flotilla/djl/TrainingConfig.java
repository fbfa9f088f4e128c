package dev.flotilla.djl;

import dev.flotilla.core.message.Config;

/**
 * The local-training settings of one round, read from the {@link Config} of the train instructions.
 *
 * @param lr          SGD learning rate, key {@value #LR}, default 0.01; finite and > 0
 * @param momentum    SGD momentum, key {@value #MOMENTUM}, default 0 (plain SGD); in [0, 1)
 * @param batchSize   examples per mini-batch, key {@value #BATCH_SIZE}, default 32; >= 1. The last, partial batch
 *                    of an epoch is kept
 * @param localEpochs passes over the local data, key {@value #LOCAL_EPOCHS}, default 1; >= 1
 * @param round       the server's round number, key {@value #ROUND}, default 0; >= 0. Seeds the shuffling together
 *                    with the client's seed, so that every round sees a new order and reruns see the same ones
 * @param proximalMu  FedProx's proximal coefficient μ, key {@value #PROXIMAL_MU}, default 0 (plain local SGD);
 *                    finite and >= 0. When positive, local training minimises the loss plus
 *                    {@code μ/2 ||w - w_global||²}, where {@code w_global} is the model this round started from
 *                    (Li et al., "Federated Optimization in Heterogeneous Networks", MLSys 2020)
 * @param labelFlip   key {@value #LABEL_FLIP}, default false. When true, training uses label
 *                    {@code numClasses - 1 - y} in place of each label {@code y}: the label-flipping attack that
 *                    simulations give to Byzantine clients. Evaluation always uses the true labels
 */
public record TrainingConfig(double lr, double momentum, int batchSize, int localEpochs, long round,
    double proximalMu, boolean labelFlip) {
  /** Config key of the learning rate. */
  public static final String LR = "lr";
  /** Config key of the momentum. */
  public static final String MOMENTUM = "momentum";
  /** Config key of the batch size. */
  public static final String BATCH_SIZE = "batch_size";
  /** Config key of the number of local epochs. */
  public static final String LOCAL_EPOCHS = "local_epochs";
  /** Config key of the round number. */
  public static final String ROUND = "round";
  /** Config key of FedProx's proximal coefficient μ. */
  public static final String PROXIMAL_MU = "proximal_mu";
  /** Config key of the label-flipping attack. */
  public static final String LABEL_FLIP = "label_flip";

  /** Validates every setting; the message names the bad key and value. */
  public TrainingConfig {
    if (!(lr > 0) || !Double.isFinite(lr)) {
      throw new IllegalArgumentException("config '" + LR + "' = " + lr + " must be a finite number > 0");
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("config '" + MOMENTUM + "' = " + momentum + " must be in [0, 1)");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("config '" + BATCH_SIZE + "' = " + batchSize + " must be >= 1");
    }
    if (localEpochs < 1) {
      throw new IllegalArgumentException("config '" + LOCAL_EPOCHS + "' = " + localEpochs + " must be >= 1");
    }
    if (round < 0) {
      throw new IllegalArgumentException("config '" + ROUND + "' = " + round + " must be >= 0");
    }
    if (!(proximalMu >= 0) || !Double.isFinite(proximalMu)) {
      throw new IllegalArgumentException("config '" + PROXIMAL_MU + "' = " + proximalMu
          + " must be a finite number >= 0");
    }
  }

  /** The settings in {@code config}, with the defaults for missing keys; other keys are ignored. */
  public static TrainingConfig from(Config config) {
    return new TrainingConfig(
        config.getDouble(LR, 0.01),
        config.getDouble(MOMENTUM, 0.0),
        config.getInt(BATCH_SIZE, 32),
        config.getInt(LOCAL_EPOCHS, 1),
        config.getLong(ROUND, 0),
        config.getDouble(PROXIMAL_MU, 0.0),
        config.getBoolean(LABEL_FLIP, false));
  }

  /** The defaults: lr 0.01, no momentum, batch 32, one epoch, round 0, no proximal term, true labels (workload W1). */
  public static TrainingConfig defaults() {
    return from(Config.empty());
  }

  /** These settings with FedProx's proximal coefficient set to {@code mu}. */
  public TrainingConfig withProximalMu(double mu) {
    return new TrainingConfig(lr, momentum, batchSize, localEpochs, round, mu, labelFlip);
  }

  /** These settings with the label-flipping attack on or off. */
  public TrainingConfig withLabelFlip(boolean flip) {
    return new TrainingConfig(lr, momentum, batchSize, localEpochs, round, proximalMu, flip);
  }

  /** These settings as a {@link Config}, for building train instructions. */
  public Config toConfig() {
    return Config.of(LR, lr, MOMENTUM, momentum, BATCH_SIZE, batchSize, LOCAL_EPOCHS, localEpochs, ROUND, round,
        PROXIMAL_MU, proximalMu, LABEL_FLIP, labelFlip);
  }
}
