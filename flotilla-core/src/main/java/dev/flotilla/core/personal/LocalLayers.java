package dev.flotilla.core.personal;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.AggregateResult;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.core.strategy.ClientTask;
import dev.flotilla.core.strategy.ForwardingStrategy;
import dev.flotilla.core.strategy.ResultStream;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.List;
import java.util.Optional;

/**
 * Personalisation by local layers: wraps any strategy so that the layers matching a {@link LayerPattern} stay on
 * each site and only the others are federated (FedPer: Arivazhagan et al., "Federated Learning with Personalization
 * Layers", 2019; LG-FedAvg: Liang et al., "Think Locally, Act Globally", 2020, keep the head or the body local).
 *
 * <p>Each instruction carries the whole global model, as the inner strategy made it, and the config key
 * {@value #CONFIG_KEY} holding the regex, so that clients know which layers are theirs. Clients run
 * {@link LocalLayersMod}, which puts their own local layers in place of the received ones and sends back only the
 * shared layers. The inner strategy sees the shared part of the global model and the shared-only results; its new
 * shared layers replace those of the global model, whose local layers keep their initial values (the server never
 * sees a client's own). Metrics, state, sampling, central and federated evaluation are the inner strategy's.
 *
 * <p>The wrapper holds configuration only and mutates neither its inputs nor the inner strategy's outputs.
 * Threading: as for any {@link Strategy}, one call at a time.
 */
public final class LocalLayers extends ForwardingStrategy {
  /** The instruction config key that names the local layers: a regex over whole tensor names. */
  public static final String CONFIG_KEY = "local_layers";

  private final LayerPattern local;

  /**
   * {@code inner} federating every layer except those whose whole name matches {@code localLayersRegex}.
   *
   * @throws IllegalArgumentException naming the regex if it is empty or invalid
   */
  public LocalLayers(Strategy inner, String localLayersRegex) {
    super(inner);
    this.local = LayerPattern.of(localLayersRegex);
  }

  /** The wrapped strategy. */
  public Strategy inner() {
    return inner;
  }

  /** Which layers stay on the sites. */
  public LayerPattern localLayers() {
    return local;
  }

  /**
   * {@inheritDoc} The inner strategy's tasks, with {@value #CONFIG_KEY} added to each config.
   *
   * @throws IllegalArgumentException naming the regex if it matches every layer of {@code global} or none
   */
  @Override
  public List<ClientTask<TrainInstructions>> configureTrain(RoundContext ctx, ModelWeights global,
      List<ClientInfo> available) {
    local.requireSplit(global.specs());
    return inner.configureTrain(ctx, global, available).stream()
        .map(t -> new ClientTask<>(t.clientId(),
            new TrainInstructions(t.instructions().model(), withKey(t.instructions().config()))))
        .toList();
  }

  /**
   * {@inheritDoc} A result must not carry any local layer; its shared layers are checked by the inner strategy
   * against the shared part of {@code global} (by default: float32, the global names and shapes, finite values).
   */
  @Override
  public Optional<String> checkTrainResult(ModelWeights global, TrainResult result) {
    for (Tensor t : result.weights().tensors()) {
      if (local.matches(t.name())) {
        return Optional.of("the result carries tensor '" + t.name() + "', a local layer (matched by '"
            + local.regex() + "') that must stay on the client");
      }
    }
    return inner.checkTrainResult(local.shared(global), result);
  }

  /** {@inheritDoc} The inner strategy's specs for the shared part of {@code global}: no local layer crosses. */
  @Override
  public Optional<List<TensorSpec>> trainResultSpecs(ModelWeights global) {
    return inner.trainResultSpecs(local.shared(global));
  }

  /**
   * {@inheritDoc} The inner strategy aggregates the shared layers; its result replaces them in {@code global}.
   *
   * @throws FlotillaException if the inner strategy returns a tensor that is not a shared layer of {@code global}
   */
  @Override
  public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> results) {
    ModelWeights shared = local.shared(global);
    AggregateResult out = inner.aggregateTrain(ctx, shared, results);
    if (out.model().isEmpty()) {
      return out;
    }
    ModelWeights newShared = out.model().get();
    for (Tensor t : newShared.tensors()) {
      if (!shared.has(t.name())) {
        throw new FlotillaException("the inner strategy " + inner.getClass().getSimpleName() + " returned tensor '"
            + t.name() + "', which is not a shared layer of the model (local layers: '" + local.regex() + "')");
      }
    }
    return new AggregateResult(Optional.of(global.replacing(newShared)), out.metrics());
  }

  /**
   * {@inheritDoc} The inner strategy's tasks, with {@value #CONFIG_KEY} added to each config.
   *
   * @throws IllegalArgumentException naming the regex if it matches every layer of {@code global} or none
   */
  @Override
  public List<ClientTask<EvaluateInstructions>> configureEvaluate(RoundContext ctx, ModelWeights global,
      List<ClientInfo> available) {
    local.requireSplit(global.specs());
    return inner.configureEvaluate(ctx, global, available).stream()
        .map(t -> new ClientTask<>(t.clientId(),
            new EvaluateInstructions(t.instructions().model(), withKey(t.instructions().config()))))
        .toList();
  }

  private Config withKey(Config config) {
    return config.with(CONFIG_KEY, local.regex());
  }
}
