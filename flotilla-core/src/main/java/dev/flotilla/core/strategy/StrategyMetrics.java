package dev.flotilla.core.strategy;

/**
 * Names of the metrics that the strategies of this package report in {@link AggregateResult#metrics()}. All are
 * snake_case and none clashes with the names the server records itself ({@code round}, {@code accuracy},
 * {@code loss}, {@code fed_accuracy}, {@code fed_loss}, {@code clients_ok}, {@code clients_failed},
 * {@code seconds}, {@code bytes_up}, {@code bytes_down}).
 */
public final class StrategyMetrics {
  /** How many results went into the aggregate (every strategy). */
  public static final String RESULTS_USED = "results_used";
  /** 1 when a robust aggregator had too few results for its Byzantine bound and kept the current model. */
  public static final String AGGREGATION_SKIPPED = "aggregation_skipped";
  /** L2 norm of the pseudo-gradient, the difference between the global model and the mean (FedAvgM, FedOpt). */
  public static final String PSEUDO_GRADIENT_NORM = "pseudo_gradient_norm";
  /** Number of server optimiser steps taken so far, this round's included (FedOpt). */
  public static final String SERVER_STEP = "server_step";
  /** Unweighted mean of the clients' {@code train_loss} (QFedAvg). */
  public static final String MEAN_TRAIN_LOSS = "mean_train_loss";
  /** Values dropped at each end of every coordinate (TrimmedMean). */
  public static final String TRIMMED_PER_SIDE = "trimmed_per_side";
  /** How many results Krum or multi-Krum selected. */
  public static final String KRUM_SELECTED = "krum_selected";
  /** The lowest Krum score: the sum of squared distances of the selected result to its nearest neighbours. */
  public static final String KRUM_BEST_SCORE = "krum_best_score";
  /** How many results Bulyan selected by repeated Krum (θ = n − 2f). */
  public static final String BULYAN_SELECTED = "bulyan_selected";
  /** How many values per coordinate Bulyan averaged around the median (β = θ − 2f). */
  public static final String BULYAN_KEPT = "bulyan_kept";

  private StrategyMetrics() {}
}
