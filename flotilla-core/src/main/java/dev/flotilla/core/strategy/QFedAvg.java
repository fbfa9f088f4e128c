package dev.flotilla.core.strategy;

import dev.flotilla.core.aggregate.QFflAggregator;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.tensor.ModelWeights;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * q-FedAvg (Li, Sanjabi, Beirami and Smith, "Fair Resource Allocation in Federated Learning", ICLR 2020): the
 * server step of the q-FFL objective, which weighs clients with a higher loss more so that accuracy is spread more
 * evenly across clients. See {@link QFflAggregator} for the formula; {@code q = 0} is the unweighted mean.
 *
 * <p>Each client must report its loss as the train metric {@value #LOSS_METRIC} ({@code >= 0}, finite): the paper
 * uses the loss of the global model on the client's data, so a client should report that loss (measured before
 * local training) or its mean training loss. {@link #checkTrainResult} rejects a result without it.
 *
 * <p>Defaults follow Flower: {@code q = 0.2} and {@code L = 10} (Flower's {@code qffl_learning_rate} 0.1 is
 * {@code 1 / L}). Results are folded as they arrive (memory: one model); results with 0 examples are skipped, as in
 * FedAvg.
 */
public class QFedAvg extends FedAvg {
  /** The train metric that carries a client's loss. */
  public static final String LOSS_METRIC = "train_loss";
  /** Flower's default fairness exponent. */
  public static final double DEFAULT_Q = 0.2;
  /** {@code L = 1 / 0.1}, from Flower's default {@code qffl_learning_rate}. */
  public static final double DEFAULT_LIPSCHITZ = 10.0;

  private final double q;
  private final double lipschitz;

  /**
   * @param q         the fairness exponent, {@code >= 0}
   * @param lipschitz {@code L}, the Lipschitz constant of the gradient (one over a learning rate), positive
   */
  public QFedAvg(Settings settings, double q, double lipschitz) {
    super(settings);
    if (!(q >= 0) || Double.isInfinite(q)) {
      throw new IllegalArgumentException("QFedAvg q must be >= 0 and finite, got " + q);
    }
    if (!(lipschitz > 0) || Double.isInfinite(lipschitz)) {
      throw new IllegalArgumentException("QFedAvg Lipschitz constant L must be positive and finite, got " + lipschitz);
    }
    this.q = q;
    this.lipschitz = lipschitz;
  }

  /** The fairness exponent q. */
  public double q() {
    return q;
  }

  /** L, the Lipschitz constant. */
  public double lipschitz() {
    return lipschitz;
  }

  /** FedAvg's checks, and a {@value #LOSS_METRIC} that is finite and {@code >= 0}. */
  @Override
  public Optional<String> checkTrainResult(ModelWeights global, TrainResult result) {
    return super.checkTrainResult(global, result).or(() -> lossProblem(result));
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if a result lacks a valid {@value #LOSS_METRIC} (naming the client) or does
   *                                  not match {@code global} (naming the tensor)
   */
  @Override
  public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> results) {
    QFflAggregator step = new QFflAggregator(global, q, lipschitz);
    for (ClientResult<TrainResult> r : results) {
      if (r.result().numExamples() == 0) {
        continue;
      }
      lossProblem(r.result()).ifPresent(p -> {
        throw new IllegalArgumentException("client " + r.clientId() + ": " + p);
      });
      step.fold(r.result().weights(), r.result().metrics().get(LOSS_METRIC).getAsDouble());
    }
    if (step.count() == 0) {
      return new AggregateResult(Optional.empty(), Metrics.of(StrategyMetrics.RESULTS_USED, 0));
    }
    return new AggregateResult(Optional.of(step.result()), Metrics.of(
        StrategyMetrics.RESULTS_USED, step.count(),
        StrategyMetrics.MEAN_TRAIN_LOSS, step.meanLoss()));
  }

  private static Optional<String> lossProblem(TrainResult result) {
    OptionalDouble loss = result.metrics().get(LOSS_METRIC);
    if (loss.isEmpty()) {
      return Optional.of("QFedAvg needs the client's loss as train metric '" + LOSS_METRIC + "', but it has only "
          + result.metrics().values().keySet());
    }
    double value = loss.getAsDouble();
    if (!(value >= 0) || Double.isInfinite(value)) {
      return Optional.of("QFedAvg needs a finite train metric '" + LOSS_METRIC + "' >= 0, got " + value);
    }
    return Optional.empty();
  }
}
